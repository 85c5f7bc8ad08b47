package io.scaleblocks.queue;

/** Another process (or another queue in this one) holds the directory's lock file. */
public final class QueueLockedException extends QueueException {

  private static final long serialVersionUID = 1L;

  public QueueLockedException(String message) {
    super(message);
  }
}
