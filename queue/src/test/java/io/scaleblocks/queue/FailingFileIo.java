package io.scaleblocks.queue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A disk that fills up: writes fail with "No space left on device" once a byte budget is spent. Its
 * forces of segments can be made to fail ({@link #failForces}, or those of some files only with
 * {@link #failForcesOf}) or to wait at a gate ({@link #holdForces}), and are counted once they
 * returned ({@link #awaitForced} waits for one of a given file).
 */
final class FailingFileIo extends FileIo {

  final AtomicLong budget;
  volatile boolean failForces;
  private volatile CountDownLatch gate;
  final CountDownLatch forceEntered = new CountDownLatch(1);
  final AtomicLong forcesReturned = new AtomicLong();
  final CountDownLatch forceFailed = new CountDownLatch(1);
  private volatile java.util.function.Predicate<Path> failing = file -> false;
  private final java.util.List<Path> forced = new java.util.ArrayList<>();

  FailingFileIo(long bytes) {
    budget = new AtomicLong(bytes);
  }

  /** Makes segment forces wait until {@link #releaseForces}. */
  void holdForces() {
    gate = new CountDownLatch(1);
  }

  void releaseForces() {
    gate.countDown();
  }

  /** Makes the forces of the segments whose file {@code which} accepts fail. */
  void failForcesOf(java.util.function.Predicate<Path> which) {
    failing = which;
  }

  /** Waits until a force of a segment whose file {@code which} accepts has returned. */
  boolean awaitForced(java.util.function.Predicate<Path> which, long timeout, TimeUnit unit)
      throws InterruptedException {
    long end = System.nanoTime() + unit.toNanos(timeout);
    synchronized (forced) {
      while (forced.stream().noneMatch(which)) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(forced, left);
      }
      return true;
    }
  }

  @Override
  void force(Segment segment) throws IOException {
    forceEntered.countDown();
    CountDownLatch g = gate;
    if (g != null) {
      try {
        if (!g.await(30, TimeUnit.SECONDS)) {
          throw new IOException("force gate not released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted at the force gate", e);
      }
    }
    if (failForces || failing.test(segment.file())) {
      forceFailed.countDown();
      throw new IOException("Input/output error (injected)");
    }
    super.force(segment);
    forcesReturned.incrementAndGet();
    synchronized (forced) {
      forced.add(segment.file());
      forced.notifyAll();
    }
  }

  @Override
  FileChannel channel(Path file, OpenOption... options) throws IOException {
    return new Channel(FileChannel.open(file, options));
  }

  private final class Channel extends FileChannel {
    private final FileChannel d;

    Channel(FileChannel d) {
      this.d = d;
    }

    private void spend(int n) throws IOException {
      if (budget.addAndGet(-n) < 0) {
        throw new IOException("No space left on device");
      }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return d.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return d.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      spend(src.remaining());
      return d.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      throw new IOException("not used");
    }

    @Override
    public long position() throws IOException {
      return d.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      d.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return d.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      d.truncate(size);
      return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      d.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
      return d.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
      return d.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return d.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      spend(src.remaining());
      return d.write(src, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      return d.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return d.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return d.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      d.close();
    }
  }
}
