package io.scaleblocks.queue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A group's progress in a small log of its own, {@code groups/<group>.journal}: frames of
 * {@code u32 length, u32 crc32c, body}, the body a type byte and its fields,
 *
 * <pre>
 *   'C' u64 cursor                       offsets below it were delivered
 *   'A' u64 from, u64 to                 offsets in [from, to) are done
 *   'R' u64 offset, u32 count            offset was delivered count times
 *   'S' u64 cursor, u64 floor, u32 n, n x u64 done, u32 m, m x (u64 offset, u32 count)
 * </pre>
 *
 * Replaying the frames in order rebuilds the state; every frame is idempotent. When the journal
 * grows past {@link #COMPACT_BYTES} it is replaced by one 'S' frame, written to a temporary file,
 * synced and renamed over the journal (a rename is atomic). A torn last frame is cut at open.
 *
 * <p>Writes come under the group's lock; {@link #sync} from any thread.
 */
final class FileGroupJournal implements GroupJournal {

  private static final Logger LOG = LoggerFactory.getLogger(FileGroupJournal.class);
  static final long COMPACT_BYTES = 1 << 20;
  static final String SUFFIX = ".journal";

  private final Path file;
  private final FileIo io;
  private final QueueConfig config;
  private final CRC32C crc = new CRC32C();
  private final ByteBuffer frame = ByteBuffer.allocate(64);
  private final Syncer syncer;
  private final GroupSnapshot loaded;
  private final java.util.concurrent.locks.ReentrantLock reopenLock =
      new java.util.concurrent.locks.ReentrantLock();
  private volatile FileChannel channel;
  private long position;
  private volatile long sequence;
  RecoveryReport.Cut cut;

  FileGroupJournal(Path file, QueueConfig config, FileIo io,
      io.scaleblocks.queue.internal.QueueCounters counters) throws IOException {
    this.file = file;
    this.io = io;
    this.config = config;
    this.channel = io.openOrCreate(file);
    this.loaded = replay();
    this.syncer = new Syncer("group journal " + file, 0, () -> sequence,
        () -> uninterrupted(c -> {
          c.force(false);
          return 0;
        }), counters, false);
  }

  private interface ChannelOp {
    int apply(FileChannel channel) throws IOException;
  }

  /**
   * Runs {@code op} so that an interrupt of the calling thread cannot close the journal for every
   * other thread (an interrupted NIO channel closes itself): the interrupt status is set aside for
   * the call, and a channel that an interrupt closed anyway is reopened and the op retried once.
   * The op must be idempotent (positional writes, forces). The interrupt status is restored.
   */
  private int uninterrupted(ChannelOp op) throws IOException {
    boolean interrupted = Thread.interrupted();
    try {
      FileChannel c = channel;
      try {
        return op.apply(c);
      } catch (java.nio.channels.ClosedByInterruptException e) {
        interrupted |= Thread.interrupted();
        return op.apply(reopen(c));
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private FileChannel reopen(FileChannel broken) throws IOException {
    reopenLock.lock();
    try {
      if (channel == broken) {
        channel = io.openExisting(file);
      }
      return channel;
    } finally {
      reopenLock.unlock();
    }
  }

  private GroupSnapshot replay() throws IOException {
    long size = channel.size();
    ByteBuffer all = ByteBuffer.allocate((int) size);
    while (all.hasRemaining() && channel.read(all, all.position()) > 0) {
      // read the whole journal
    }
    long cursor = 0;
    long floor = 0;
    NavigableSet<Long> done = new TreeSet<>();
    Map<Long, Integer> counts = new HashMap<>();
    int p = 0;
    while (p + 9 <= size) {
      int length = all.getInt(p);
      if (length < 1 || length > size - p - 8
          || RecordFormat.checksum(all, p + 8, length, crc) != all.getInt(p + 4)) {
        break;
      }
      int b = p + 9;
      switch (all.get(p + 8)) {
        case 'C' -> cursor = Math.max(cursor, all.getLong(b));
        case 'A' -> floor = addDone(floor, done, all.getLong(b), all.getLong(b + 8));
        case 'R' -> counts.merge(all.getLong(b), all.getInt(b + 8), Math::max);
        case 'S' -> {
          cursor = Math.max(cursor, all.getLong(b));
          floor = Math.max(floor, all.getLong(b + 8));
          int n = all.getInt(b + 16);
          int q = b + 20;
          for (int i = 0; i < n; i++, q += 8) {
            floor = addDone(floor, done, all.getLong(q), all.getLong(q) + 1);
          }
          int m = all.getInt(q);
          q += 4;
          for (int i = 0; i < m; i++, q += 12) {
            counts.merge(all.getLong(q), all.getInt(q + 8), Math::max);
          }
        }
        default -> {
          length = -1;
        }
      }
      if (length < 0) {
        break;
      }
      p += 8 + length;
    }
    if (p < size) {
      cut = new RecoveryReport.Cut(file, p, size - p, RecoveryReport.CutKind.TORN_RECORD);
      LOG.warn("{} - {}: cut {} bytes after the last complete entry, at byte {}", config.name(),
          file, size - p, p);
      channel.truncate(p);
      channel.force(true);
    }
    position = Math.min(p, size);
    sequence = position;
    return new GroupSnapshot(cursor, floor, done, counts);
  }

  private static long addDone(long floor, NavigableSet<Long> done, long from, long to) {
    if (from <= floor) {
      floor = Math.max(floor, to);
    } else {
      for (long o = from; o < to; o++) {
        done.add(o);
      }
    }
    while (!done.isEmpty() && done.first() <= floor) {
      if (done.pollFirst() == floor) {
        floor++;
      }
    }
    return floor;
  }

  @Override
  public GroupSnapshot load() {
    return loaded;
  }

  @Override
  public void cursor(long next) {
    frame.clear().position(9);
    frame.putLong(next);
    write('C');
  }

  @Override
  public void redelivered(long offset, int count) {
    frame.clear().position(9);
    frame.putLong(offset).putInt(count);
    write('R');
  }

  @Override
  public long acked(long from, long to) {
    frame.clear().position(9);
    frame.putLong(from).putLong(to);
    write('A');
    return sequence;
  }

  private void write(char type) {
    frame.put(8, (byte) type);
    int length = frame.position() - 8;
    frame.putInt(0, length);
    frame.putInt(4, RecordFormat.checksum(frame, 8, length, crc));
    frame.flip();
    try {
      long at = position;
      int n = uninterrupted(c -> {
        frame.rewind();
        return Segment.writeFully(c, frame, at);
      });
      position += n;
      sequence += n;
    } catch (IOException e) {
      throw new QueueException(config.name() + " - writing " + file + " failed: " + e, e);
    }
  }

  @Override
  public void sync(long sequence) {
    switch (config.durability()) {
      case EVERY_PUBLISH -> syncer.sync(sequence, false);
      case GROUP_COMMIT -> syncer.sync(sequence, true);
      default -> { }
    }
  }

  void syncWritten() {
    syncer.sync(sequence, true);
  }

  @Override
  public void compactIfLarge(Supplier<GroupSnapshot> state) {
    if (position < COMPACT_BYTES) {
      return;
    }
    GroupSnapshot s = state.get();
    ByteBuffer b = ByteBuffer.allocate(8 + 1 + 8 + 8 + 4 + 8 * s.done().size() + 4
        + 12 * s.counts().size());
    b.position(9);
    b.putLong(s.cursor()).putLong(s.floor()).putInt(s.done().size());
    s.done().forEach(b::putLong);
    b.putInt(s.counts().size());
    s.counts().forEach((o, c) -> b.putLong(o).putInt(c));
    b.put(8, (byte) 'S');
    int length = b.position() - 8;
    b.putInt(0, length);
    b.putInt(4, RecordFormat.checksum(b, 8, length, crc));
    b.flip();
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel out = io.channel(tmp, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE)) {
      Segment.writeFully(out, b, 0);
      out.force(true);
    } catch (IOException e) {
      io.deleteIfExists(tmp);
      LOG.warn("{} - compacting {} failed, it keeps growing: {}", config.name(), file, e.toString());
      return;
    }
    syncer.exclusive(() -> swap(tmp, length + 8));
  }

  private void swap(Path tmp, long size) {
    try {
      io.replace(tmp, file);
      FileChannel old = channel;
      channel = io.openExisting(file);
      old.close();
      position = size;
      syncer.markDurable(sequence);
    } catch (IOException e) {
      throw new QueueException(config.name() + " - replacing " + file + " by its snapshot failed: "
          + e, e);
    }
  }

  @Override
  public void close() {
    try {
      channel.force(true);
      channel.close();
    } catch (IOException e) {
      LOG.warn("{} - closing {} failed: {}", config.name(), file, e.toString());
    }
  }

  List<RecoveryReport.Cut> cuts() {
    return cut == null ? List.of() : List.of(cut);
  }
}
