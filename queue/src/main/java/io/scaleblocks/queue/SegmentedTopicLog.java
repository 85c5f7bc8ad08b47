package io.scaleblocks.queue;

import io.scaleblocks.queue.internal.QueueCounters;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link TopicLog} of the file log: a directory of {@link Segment}s named by their base offset
 * ({@code 00000000000000000000.seg}), the last one active. A segment rolls when the next record
 * does not fit; the old one is synced before the new one takes writes. Segments every group is
 * done with are deleted, never the active one.
 *
 * <p>Thread-safety as {@link TopicLog}: appends are serialised by the caller; {@link #sync}, reads
 * and {@link #releaseBelow} are safe from any thread.
 */
final class SegmentedTopicLog implements TopicLog {

  private static final Logger LOG = LoggerFactory.getLogger(SegmentedTopicLog.class);
  static final String SUFFIX = ".seg";
  private static final java.util.regex.Pattern SEGMENT_NAME =
      java.util.regex.Pattern.compile("[0-9]{20}\\.seg");

  private final String queueName;
  private final Path directory;
  private final QueueConfig config;
  private final FileIo io;
  private final QueueCounters counters;
  private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
  private final Syncer syncer;
  private final int maxBody;
  private final ReentrantLock flusherLock = new ReentrantLock();
  private volatile Flusher flusher;
  private boolean closed;
  private volatile Segment active;
  private volatile long written;

  /** Recovery's findings for the caller's report. */
  final List<RecoveryReport.Cut> cuts = new ArrayList<>();
  final List<RecoveryReport.Corruption> corruptions = new ArrayList<>();
  private final List<Runnable> repairs = new ArrayList<>();

  SegmentedTopicLog(Path directory, QueueConfig config, FileIo io, QueueCounters counters)
      throws IOException {
    this.queueName = config.name();
    this.directory = directory;
    this.config = config;
    this.io = io;
    this.counters = counters;
    this.maxBody = config.segmentBytes();
    Files.createDirectories(directory);
    List<Path> files = segmentFiles();
    for (int i = 0; i < files.size(); i++) {
      boolean last = i == files.size() - 1;
      recover(files.get(i), last, last ? -1 : baseOf(files.get(i + 1)));
    }
    if (segments.isEmpty()) {
      long base = files.isEmpty() ? 0 : baseOf(files.get(files.size() - 1));
      segments.put(base, Segment.create(io, segmentFile(base), base, config.segmentBytes(), true));
    }
    active = segments.lastEntry().getValue();
    written = active.end();
    syncer = new Syncer("topic log " + directory, written, () -> written, () -> io.force(active),
        counters, true);
  }

  /** The segments, by base offset; other files ending in {@code .seg} are not ours: left alone. */
  private List<Path> segmentFiles() throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(directory)) {
      s.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).forEach(files::add);
    }
    List<Path> segmentFiles = new ArrayList<>(files.size());
    for (Path p : files) {
      if (SEGMENT_NAME.matcher(p.getFileName().toString()).matches()) {
        segmentFiles.add(p);
      } else {
        LOG.warn("{} - {} is not named like a segment (20 digits of its base offset, {}): ignored",
            queueName, p, SUFFIX);
      }
    }
    segmentFiles.sort(null);
    return segmentFiles;
  }

  private static long baseOf(Path file) {
    String name = file.getFileName().toString();
    return Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
  }

  private Path segmentFile(long base) {
    return directory.resolve(String.format("%020d%s", base, SUFFIX));
  }

  /** Scans one segment; an older one ({@code last} false) must end where {@code nextBase} starts. */
  private void recover(Path file, boolean last, long nextBase) throws IOException {
    long base = baseOf(file);
    FileChannel channel = io.openExisting(file);
    try {
      long size = channel.size();
      if (!validHeader(channel, base, size)) {
        channel.close();
        if (!last) {
          throw new CorruptLogException(file, 0, "segment " + file + " has no valid header");
        }
        cuts.add(new RecoveryReport.Cut(file, 0, size, RecoveryReport.CutKind.TORN_RECORD));
        LOG.warn("{} - {}: a segment without a complete header ({} bytes), deleted", queueName,
            file, size);
        Files.delete(file);
        return;
      }
      int capacity = (int) Math.max(size, last ? config.segmentBytes() : size);
      if (capacity > size) {
        Segment.zeroFill(channel, size, capacity);
      }
      MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_WRITE, 0, capacity);
      SegmentScanner.Result r = new SegmentScanner(file, map, (int) size, base, maxBody,
          config.corruptionPolicy()).scan();
      List<RecoveryReport.Corruption> found = new ArrayList<>(r.corruptions());
      if (last) {
        if (r.cut() != null) {
          cutTail(map, r.cut());
        }
      } else {
        RecoveryReport.Corruption end = checkOlderSegmentEnd(file, map, base + r.count(),
            r.endPosition(), (int) size, r.cut(), nextBase);
        if (end != null) {
          found.add(end);
        }
      }
      Segment segment = new Segment(file, base, channel, map, r.positions(), r.count(),
          r.endPosition());
      for (RecoveryReport.Corruption c : found) {
        corruptions.add(c);
        LOG.error("{} - {}: {} unreadable bytes at byte {} held messages {} to {} ({}); they are"
            + " skipped and dead-lettered (corruption-policy SKIP_AND_DEAD_LETTER)", queueName,
            file, c.bytes(), c.position(), c.firstOffset(), c.firstOffset() + c.count() - 1,
            c.kind());
        if (c.firstOffset() >= segment.end()) {
          segment.skipTo(c.firstOffset() + c.count());
        }
        repairs.add(() -> {
          if (!segment.repair((int) c.position(), (int) c.bytes(), c.firstOffset(), c.count())) {
            LOG.warn("{} - {}: no room to mark messages {} to {} skipped in place; the next open"
                + " reports them again", queueName, file, c.firstOffset(),
                c.firstOffset() + c.count() - 1);
          }
        });
      }
      segments.put(base, segment);
    } catch (IOException | RuntimeException e) {
      Segment.closeQuietly(channel);
      throw e;
    }
  }

  /**
   * An older segment is sealed: its records must run up to the next segment's base offset, and
   * after them comes its preallocated zero tail (or nothing). Records missing in front of the next
   * segment (its end zeroed, or its last record damaged) are a corruption in the middle of the
   * log: refused under {@link CorruptionPolicy#STOP}, returned for skipping otherwise. Bytes that
   * are no record but lose nothing are refused under STOP and cut otherwise.
   *
   * @param end the offset after the last valid record
   * @param endPosition the byte after the last valid record
   */
  private RecoveryReport.Corruption checkOlderSegmentEnd(Path file, ByteBuffer map, long end,
      int endPosition, int size, RecoveryReport.Cut cut, long nextBase) {
    long missing = nextBase - end;
    boolean zeroed = cut == null || cut.kind() == RecoveryReport.CutKind.ZEROED;
    if (missing == 0 && zeroed) {
      return null;
    }
    String where = "segment " + file + " ends at byte " + endPosition + " after message "
        + (end - 1) + (cut == null ? "" : ", followed by " + cut.bytes() + " bytes that are no"
        + " record (" + cut.kind() + ")") + ", and it is not the last segment: the next one starts"
        + " at offset " + nextBase;
    if (missing < 0 || cut == null) {
      throw new CorruptLogException(file, endPosition, where + (missing < 0
          ? "; the segments overlap" : "; no bytes are left of messages " + end + " to "
          + (nextBase - 1) + ", so they cannot be skipped in place"));
    }
    if (config.corruptionPolicy() == CorruptionPolicy.STOP) {
      throw new CorruptLogException(file, endPosition, where + (missing > 0
          ? ", so messages " + end + " to " + (nextBase - 1) + " are missing" : "")
          + "; refusing to skip them (corruption-policy STOP; SKIP_AND_DEAD_LETTER skips them)");
    }
    if (missing == 0) {
      cutTail(map, cut);
      return null;
    }
    return new RecoveryReport.Corruption(file, endPosition, size - endPosition, end, missing,
        zeroed ? RecoveryReport.CorruptionKind.ZEROED_RECORDS
            : RecoveryReport.CorruptionKind.BAD_RECORD);
  }

  private void cutTail(ByteBuffer map, RecoveryReport.Cut cut) {
    if (cut.kind() != RecoveryReport.CutKind.ZEROED) {
      for (long p = cut.position(); p < cut.position() + cut.bytes(); p++) {
        map.put((int) p, (byte) 0);
      }
      ((MappedByteBuffer) map).force((int) cut.position(), (int) cut.bytes());
    }
    cuts.add(cut);
    if (cut.kind() == RecoveryReport.CutKind.ZEROED) {
      LOG.info("{} - {}: {} zeroed bytes after the last record at byte {} (left by a crash)",
          queueName, cut.file(), cut.bytes(), cut.position());
    } else {
      LOG.warn("{} - {}: cut {} bytes ({}) after the last complete record, at byte {}", queueName,
          cut.file(), cut.bytes(), cut.kind(), cut.position());
    }
  }

  private static boolean validHeader(FileChannel channel, long base, long size) throws IOException {
    if (size < Segment.HEADER) {
      return false;
    }
    ByteBuffer header = ByteBuffer.allocate(Segment.HEADER);
    while (header.hasRemaining() && channel.read(header, header.position()) > 0) {
      // read the whole header
    }
    header.flip();
    return header.getInt() == Segment.MAGIC && header.getInt() == Segment.VERSION
        && header.getLong() == base;
  }

  /** Messages lost to skipped corruption, as {@code [from, to)} pairs. */
  List<long[]> skippedRanges() {
    List<long[]> out = new ArrayList<>();
    for (RecoveryReport.Corruption c : corruptions) {
      out.add(new long[] {c.firstOffset(), c.firstOffset() + c.count()});
    }
    return out;
  }

  /** Rewrites skipped regions so later opens pass over them without dead-lettering again. */
  void repairSkipped() {
    repairs.forEach(Runnable::run);
    repairs.clear();
  }

  /**
   * Appends a batch. A batch that does not fit the rest of the active segment rolls to a new one
   * first, so a failure (a full disk when the new segment is created) leaves nothing of it. Only a
   * batch larger than a whole segment spans segments, and a failure half-way through it leaves
   * the part in earlier segments published.
   */
  @Override
  public long append(List<byte[]> payloads, DeadLetter deadLetter, long timestampMillis) {
    syncer.checkWritable();
    long first = written;
    long offset = first;
    Segment segment = active;
    try {
      long total = 0;
      for (byte[] payload : payloads) {
        total += RecordFormat.frameSize(payload, deadLetter);
      }
      if (segment.end() > segment.base() && total <= Integer.MAX_VALUE
          && !segment.hasRoom((int) total)) {
        segment = roll(first);
      }
      for (byte[] payload : payloads) {
        int size = RecordFormat.frameSize(payload, deadLetter);
        if (!segment.hasRoom(size)) {
          segment.publish(offset);
          written = offset;
          segment = roll(offset);
        }
        segment.append(offset++, timestampMillis, payload, deadLetter);
      }
    } catch (IOException | RuntimeException e) {
      segment.discardUnpublished();
      throw new QueueException(queueName + " - append to " + directory + " failed: " + e, e);
    }
    segment.publish(offset);
    written = offset;
    return first;
  }

  /**
   * Starts a new segment at {@code base}. Under every policy but {@link Durability#NONE} the old
   * segment is synced first (the policies' later syncs cover the active segment only) and the new
   * one with its directory before it takes records. The old segment is synced through the
   * {@link Syncer}, still forcing the active segment then: a failure there stops the topic as any
   * failed fsync does, instead of a later force of the same segment that succeeds reporting its
   * records durable.
   */
  private Segment roll(long base) throws IOException {
    boolean sync = config.durability() != Durability.NONE;
    if (sync) {
      syncer.sync(written, true);
    }
    Segment next = Segment.create(io, segmentFile(base), base, config.segmentBytes(), sync);
    segments.put(base, next);
    active = next;
    return next;
  }

  @Override
  public void sync(long endOffset) {
    switch (config.durability()) {
      case EVERY_PUBLISH -> syncer.sync(endOffset, false);
      case GROUP_COMMIT -> syncer.sync(endOffset, true);
      default -> { }
    }
  }

  /**
   * Under {@link Durability#EVERY_PUBLISH} and {@link Durability#GROUP_COMMIT}, registers with this
   * log's {@link Flusher} (started on the first asynchronous publish), even when the offset is
   * durable already, so that futures complete in offset order; under the other policies a
   * returned append is as durable as the policy makes it, so the future is complete at once.
   */
  @Override
  public CompletableFuture<Void> syncAsync(long endOffset) {
    Durability d = config.durability();
    if (d != Durability.EVERY_PUBLISH && d != Durability.GROUP_COMMIT) {
      return CompletableFuture.completedFuture(null);
    }
    Flusher f = flusher;
    if (f == null) {
      flusherLock.lock();
      try {
        if (closed) {
          return CompletableFuture.failedFuture(new QueueException(queueName + " - " + directory
              + " is closed"));
        }
        f = flusher;
        if (f == null) {
          f = new Flusher(queueName + "-flush-" + directory.getFileName(), syncer);
          flusher = f;
        }
      } finally {
        flusherLock.unlock();
      }
    }
    return f.register(endOffset);
  }

  /** For {@link Durability#INTERVAL}: sync what has been written. */
  void syncWritten() {
    syncer.sync(written, true);
  }

  @Override
  public long start() {
    return segments.firstKey();
  }

  @Override
  public long end() {
    Durability d = config.durability();
    return d == Durability.EVERY_PUBLISH || d == Durability.GROUP_COMMIT ? syncer.durable() : written;
  }

  @Override
  public StoredRecord read(long offset) {
    Map.Entry<Long, Segment> e = segments.floorEntry(offset);
    if (e == null || offset >= e.getValue().end()) {
      throw new IllegalStateException(queueName + " - offset " + offset + " is not held by "
          + directory + " (start " + start() + ", end " + written + ")");
    }
    return e.getValue().read(offset);
  }

  @Override
  public void releaseBelow(long offset) {
    while (true) {
      Map.Entry<Long, Segment> first = segments.firstEntry();
      Segment segment = first.getValue();
      if (segment == active || segment.end() > offset) {
        return;
      }
      segments.remove(first.getKey());
      try {
        segment.close(false);
        Files.delete(segment.file());
      } catch (IOException e) {
        LOG.warn("{} - could not delete the acknowledged segment {}: {}", queueName,
            segment.file(), e.toString());
      }
    }
  }

  @Override
  public void close() {
    flusherLock.lock();
    try {
      closed = true;
    } finally {
      flusherLock.unlock();
    }
    if (flusher != null) {
      flusher.close();
    }
    for (Segment s : segments.values()) {
      try {
        s.close(s == active);
      } catch (IOException e) {
        LOG.warn("{} - closing {} failed: {}", queueName, s.file(), e.toString());
      }
    }
  }
}
