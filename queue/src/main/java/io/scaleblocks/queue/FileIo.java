package io.scaleblocks.queue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The file operations of the file log, in one place so that tests can make them fail (a full
 * disk, an I/O error) exactly where real ones would. Thread-safe.
 */
class FileIo {

  static final FileIo SYSTEM = new FileIo();

  /** Every channel the log opens comes from here. */
  FileChannel channel(Path file, OpenOption... options) throws IOException {
    return FileChannel.open(file, options);
  }

  final FileChannel create(Path file) throws IOException {
    return channel(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
  }

  final FileChannel openExisting(Path file) throws IOException {
    return channel(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  final FileChannel openOrCreate(Path file) throws IOException {
    return channel(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
  }

  /** Syncs what a segment has published and not synced yet (a force of its mapping). */
  void force(Segment segment) throws IOException {
    segment.force();
  }

  /** Makes a created, renamed or deleted name durable. */
  void syncDirectory(Path directory) throws IOException {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    }
  }

  void deleteIfExists(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a leftover file is found and reported by the next open
    }
  }

  /** Atomically replaces {@code target} by {@code source}. */
  void replace(Path source, Path target) throws IOException {
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(target.getParent());
  }
}
