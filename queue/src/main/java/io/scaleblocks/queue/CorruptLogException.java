package io.scaleblocks.queue;

import java.nio.file.Path;

/**
 * A record in the middle of the log failed its check, or records are missing at the end of an
 * older segment; the log refuses to skip them silently.
 */
public final class CorruptLogException extends QueueException {

  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long position;

  public CorruptLogException(Path file, long position, String message) {
    super(message);
    this.file = file;
    this.position = position;
  }

  /** The segment file. */
  public Path file() {
    return file;
  }

  /** The byte position of the first bad record in the file. */
  public long position() {
    return position;
  }
}
