package io.scaleblocks.queue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * One segment file of a topic: a 16-byte header ({@code u32 magic "SBQL"}, {@code u32 version 1},
 * {@code u64 base offset}) and then {@link RecordFormat} frames, memory-mapped and preallocated
 * to its capacity with real zero blocks (so a full disk shows up as an {@link IOException} when a
 * segment is created, never as a fault on a mapped page).
 *
 * <p>Appends come from one thread at a time (the topic's append lock); reads of published records
 * from any thread. {@link #force} syncs what has been published so far.
 */
final class Segment {

  static final int MAGIC = 0x5342514C;
  static final int VERSION = 1;
  static final int HEADER = 16;

  private final Path file;
  private final long base;
  private final FileChannel channel;
  private final MappedByteBuffer map;
  private final CRC32C crc = new CRC32C();
  private final ByteBuffer crcView;
  private int writePos;
  private volatile int publishedPos;
  private final ReentrantLock forceLock = new ReentrantLock();
  private int forcedPos;
  private int[] positions;
  private volatile int count;

  Segment(Path file, long base, FileChannel channel, MappedByteBuffer map, int[] positions,
      int count, int writePos) {
    this.file = file;
    this.base = base;
    this.channel = channel;
    this.map = map;
    this.crcView = map.duplicate();
    this.positions = positions.length == 0 ? new int[64] : positions;
    this.count = count;
    this.writePos = writePos;
    this.publishedPos = writePos;
    this.forcedPos = writePos;
  }

  /**
   * Creates the file with its header, zero-filled to {@code capacity}; with {@code sync}, synced
   * with its directory before it takes records.
   */
  static Segment create(FileIo io, Path file, long base, int capacity, boolean sync)
      throws IOException {
    FileChannel channel = io.create(file);
    try {
      ByteBuffer header = ByteBuffer.allocate(HEADER);
      header.putInt(MAGIC).putInt(VERSION).putLong(base).flip();
      writeFully(channel, header, 0);
      zeroFill(channel, HEADER, capacity);
      if (sync) {
        channel.force(true);
        io.syncDirectory(file.getParent());
      }
      MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_WRITE, 0, capacity);
      return new Segment(file, base, channel, map, new int[0], 0, HEADER);
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      io.deleteIfExists(file);
      throw e;
    }
  }

  static void zeroFill(FileChannel channel, long from, long to) throws IOException {
    ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 16);
    long p = from;
    while (p < to) {
      zeros.clear().limit((int) Math.min(zeros.capacity(), to - p));
      p += writeFully(channel, zeros, p);
    }
  }

  static int writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    int n = 0;
    while (buffer.hasRemaining()) {
      n += channel.write(buffer, position + n);
    }
    return n;
  }

  Path file() {
    return file;
  }

  long base() {
    return base;
  }

  /** The offset after this segment's last record. */
  long end() {
    return base + count;
  }

  boolean hasRoom(int frameSize) {
    return map.capacity() - writePos >= frameSize;
  }

  int writePos() {
    return writePos;
  }

  /** Appends one frame (the caller checked {@link #hasRoom}); not readable before {@link #publish}. */
  void append(long offset, long timestamp, byte[] payload, DeadLetter deadLetter) {
    int index = (int) (offset - base);
    if (index >= positions.length) {
      positions = Arrays.copyOf(positions, positions.length * 2);
    }
    positions[index] = writePos;
    writePos += RecordFormat.write(map, crcView, writePos, offset, timestamp, payload, deadLetter,
        crc);
  }

  /** Makes the records appended so far readable and forceable. */
  void publish(long end) {
    publishedPos = writePos;
    count = (int) (end - base);
  }

  /** Zeroes appended but unpublished records (a batch that failed half-way) and forgets them. */
  void discardUnpublished() {
    for (int i = publishedPos; i < writePos; i++) {
      map.put(i, (byte) 0);
    }
    writePos = publishedPos;
  }

  /**
   * Extends this (older, sealed) segment over offsets up to {@code end} that it lost, as skipped
   * records, so that groups pass over them (corruption-policy SKIP_AND_DEAD_LETTER).
   */
  void skipTo(long end) {
    int n = (int) (end - base);
    if (n > positions.length) {
      positions = Arrays.copyOf(positions, Math.max(n, positions.length * 2));
    }
    Arrays.fill(positions, count, n, -1);
    count = n;
  }

  StoredRecord read(long offset) {
    int position = positions[(int) (offset - base)];
    if (position < 0) {
      return new StoredRecord(offset, 0, new byte[0], null, true);
    }
    return RecordFormat.read(map, position);
  }

  /**
   * Syncs the published bytes not synced yet. Forces of one segment are serialised (closing the
   * log forces each segment while a flush thread may still be forcing it).
   */
  void force() {
    forceLock.lock();
    try {
      int from = forcedPos;
      int to = publishedPos;
      if (to > from) {
        map.force(from, to - from);
        forcedPos = to;
      }
    } finally {
      forceLock.unlock();
    }
  }

  /** Rewrites the region of skipped offsets as skipped frames, so later opens pass over them. */
  boolean repair(int position, int bytes, long firstOffset, long count) {
    if (bytes < count * RecordFormat.MIN_FRAME) {
      return false;
    }
    int p = position;
    for (long i = 0; i < count; i++) {
      int size = i == count - 1 ? position + bytes - p : RecordFormat.MIN_FRAME;
      RecordFormat.writeSkipped(map, p, size, firstOffset + i, crc);
      p += size;
    }
    map.force(position, bytes);
    return true;
  }

  /** Syncs, cuts the preallocated tail (nothing reads this segment again), closes. */
  void close(boolean truncate) throws IOException {
    try {
      force();
      if (truncate) {
        channel.truncate(writePos);
        channel.force(true);
      }
    } finally {
      channel.close();
    }
  }

  static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing after a failure: the first failure is the one reported
    }
  }

  @Override
  public String toString() {
    return file.toString();
  }
}
