package io.scaleblocks.queue;

import io.scaleblocks.queue.RecoveryReport.Corruption;
import io.scaleblocks.queue.RecoveryReport.Cut;
import io.scaleblocks.queue.RecoveryReport.CutKind;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads a segment at open and decides what every byte is.
 *
 * <p>Each frame must have a valid length, a matching CRC32C and the next offset. At the first
 * frame that does not, the scanner looks for any later valid frame (byte by byte, with an offset
 * at least the expected one). If one exists, the bytes in between are a corruption in the middle
 * and the messages they held are lost: refused or skipped by the {@link CorruptionPolicy}. If
 * none exists, they are a tail: zeros (a preallocated segment after a crash), a torn record, or
 * garbage; the scanner cuts them, keeping every complete record in front. This is the recovery
 * of Kafka's log (per-batch CRC, torn tail truncated), per record.
 *
 * <p>Not thread-safe; used once per segment at open.
 */
final class SegmentScanner {

  /** What {@link #scan} found: the positions of offsets {@code base..}, and where writing resumes. */
  record Result(int[] positions, int count, int endPosition, Cut cut, List<Corruption> corruptions,
      List<int[]> gaps) {}

  private final Path file;
  private final ByteBuffer buffer;
  private final int limit;
  private final long base;
  private final int maxBody;
  private final CorruptionPolicy policy;
  private final CRC32C crc = new CRC32C();

  SegmentScanner(Path file, ByteBuffer buffer, int limit, long base, int maxBody,
      CorruptionPolicy policy) {
    this.file = file;
    this.buffer = buffer;
    this.limit = limit;
    this.base = base;
    this.maxBody = maxBody;
    this.policy = policy;
  }

  Result scan() {
    int[] positions = new int[1024];
    int count = 0;
    int p = Segment.HEADER;
    List<Corruption> corruptions = new ArrayList<>();
    List<int[]> gaps = new ArrayList<>();
    while (p < limit) {
      long expected = base + count;
      int size = RecordFormat.validFrame(buffer, p, limit, expected, expected + 1, maxBody, crc);
      if (size > 0) {
        positions = grow(positions, count + 1);
        positions[count++] = p;
        p += size;
        continue;
      }
      int next = findNext(p + 1, expected);
      if (next < 0) {
        return new Result(positions, count, p, tailCut(p), corruptions, gaps);
      }
      long nextOffset = RecordFormat.offsetAt(buffer, next);
      Corruption c = new Corruption(file, p, next - p, expected, nextOffset - expected);
      if (policy == CorruptionPolicy.STOP) {
        throw new CorruptLogException(file, p, "corrupt record at byte " + p + " of " + file + ": "
            + (next - p) + " bytes holding messages " + expected + " to " + (nextOffset - 1)
            + " fail their check, valid records follow at byte " + next
            + "; refusing to skip them (corruption-policy STOP; SKIP_AND_DEAD_LETTER skips them)");
      }
      corruptions.add(c);
      gaps.add(new int[] {p, next - p});
      positions = grow(positions, (int) (nextOffset - base));
      for (; base + count < nextOffset; count++) {
        positions[count] = -1;
      }
      p = next;
    }
    return new Result(positions, count, p, null, corruptions, gaps);
  }

  private int findNext(int from, long minOffset) {
    long maxOffset = minOffset + (limit / RecordFormat.MIN_FRAME) + 1;
    for (int p = from; p + RecordFormat.MIN_FRAME <= limit; p++) {
      if (buffer.getLong(p) == 0) {
        // a frame starting at p..p+4 would have a zero length; the next candidate is p+5
        p += 4;
        continue;
      }
      if (RecordFormat.validFrame(buffer, p, limit, minOffset, maxOffset, maxBody, crc) > 0) {
        return p;
      }
    }
    return -1;
  }

  private Cut tailCut(int p) {
    if (allZero(p)) {
      return new Cut(file, p, limit - p, CutKind.ZEROED);
    }
    int length = limit - p >= 4 ? buffer.getInt(p) : -1;
    boolean torn = limit - p < RecordFormat.FRAME_HEADER
        || (length >= RecordFormat.BODY_FIXED && length <= maxBody
            && length > limit - p - RecordFormat.FRAME_HEADER);
    return new Cut(file, p, limit - p, torn ? CutKind.TORN_RECORD : CutKind.GARBAGE);
  }

  private boolean allZero(int from) {
    int p = from;
    for (; p + 8 <= limit; p += 8) {
      if (buffer.getLong(p) != 0) {
        return false;
      }
    }
    for (; p < limit; p++) {
      if (buffer.get(p) != 0) {
        return false;
      }
    }
    return true;
  }

  private static int[] grow(int[] a, int needed) {
    return needed <= a.length ? a : Arrays.copyOf(a, Math.max(needed, a.length * 2));
  }
}
