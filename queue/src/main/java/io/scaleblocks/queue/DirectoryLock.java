package io.scaleblocks.queue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The {@code queue.lock} file of a directory: an operating-system lock on it (released by the
 * kernel when the holder dies, even by {@code kill -9}), and the holder's process id, host and
 * start written inside, so that the refusal can name it.
 */
final class DirectoryLock implements AutoCloseable {

  static final String FILE = "queue.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DirectoryLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  static DirectoryLock acquire(Path directory, FileIo io, String name) throws IOException {
    Path file = directory.resolve(FILE);
    FileChannel channel = io.openOrCreate(file);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException | RuntimeException e) {
      Segment.closeQuietly(channel);
      throw e;
    }
    if (lock == null) {
      String holder = holder(channel);
      Segment.closeQuietly(channel);
      throw new QueueLockedException(name + " - the queue directory " + directory
          + " is in use by " + (holder.isEmpty() ? "another queue" : holder) + " (lock file "
          + file + "); one directory takes one open queue at a time");
    }
    try {
      String me = "pid " + ProcessHandle.current().pid() + " (" + ManagementFactory
          .getRuntimeMXBean().getName() + "), queue '" + name + "', since " + Instant.now();
      channel.truncate(0);
      Segment.writeFully(channel, ByteBuffer.wrap(me.getBytes(StandardCharsets.UTF_8)), 0);
      channel.force(true);
    } catch (IOException | RuntimeException e) {
      lock.release();
      Segment.closeQuietly(channel);
      throw e;
    }
    return new DirectoryLock(channel, lock);
  }

  private static String holder(FileChannel channel) {
    try {
      ByteBuffer b = ByteBuffer.allocate((int) Math.min(channel.size(), 4096));
      while (b.hasRemaining() && channel.read(b, b.position()) > 0) {
        // read the holder line
      }
      return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
