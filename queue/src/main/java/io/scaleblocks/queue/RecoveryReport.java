package io.scaleblocks.queue;

import java.nio.file.Path;
import java.util.List;

/**
 * What opening a file log found and did: the tails it cut (a record torn by a crash, garbage after
 * the last record, a zeroed preallocated tail) and, under
 * {@link CorruptionPolicy#SKIP_AND_DEAD_LETTER}, the corrupt records it skipped. Every complete
 * record before a cut is kept.
 */
public record RecoveryReport(List<Cut> cuts, List<Corruption> corruptions) {

  public RecoveryReport {
    cuts = List.copyOf(cuts);
    corruptions = List.copyOf(corruptions);
  }

  /** Nothing was cut or skipped. */
  public boolean clean() {
    return cuts.isEmpty() && corruptions.isEmpty();
  }

  /** What a cut removed from the end of a file. */
  public enum CutKind {
    /** A record whose length runs past the end of what was written: torn by a crash. */
    TORN_RECORD,
    /** Bytes that are no record (and no valid record follows them). */
    GARBAGE,
    /** Zeros: the preallocated part of a segment that a crash left behind. */
    ZEROED
  }

  /** {@code bytes} bytes cut from {@code file} at {@code position}. */
  public record Cut(Path file, long position, long bytes, CutKind kind) {}

  /** Why the messages of a {@link Corruption} cannot be read. */
  public enum CorruptionKind {
    /** Bytes that fail their check: in the middle of a segment, or at the end of an older one. */
    BAD_RECORD,
    /**
     * Zeros at the end of an older (not the last) segment where its last records were: the next
     * segment starts at a higher offset than this one ends.
     */
    ZEROED_RECORDS
  }

  /**
   * {@code bytes} unreadable bytes at {@code position} of {@code file} which held the messages
   * {@code [firstOffset, firstOffset + count)} of the topic: corrupt bytes in front of a valid
   * record, or the damaged or zeroed end of an older segment in front of the next segment.
   */
  public record Corruption(Path file, long position, long bytes, long firstOffset, long count,
      CorruptionKind kind) {

    /** Corrupt bytes that fail their check ({@link CorruptionKind#BAD_RECORD}). */
    public Corruption(Path file, long position, long bytes, long firstOffset, long count) {
      this(file, position, bytes, firstOffset, count, CorruptionKind.BAD_RECORD);
    }

    /** What a dead letter of one of these messages gives as its reason. */
    public String reason() {
      return switch (kind) {
        case BAD_RECORD -> "corrupt record: " + bytes + " bytes at byte " + position + " of " + file
            + " failed their CRC32C check";
        case ZEROED_RECORDS -> "missing records: offsets " + firstOffset + " to "
            + (firstOffset + count - 1) + " were zeroed (" + bytes + " zero bytes at byte "
            + position + " of " + file + ", the end of an older segment, in front of the next"
            + " segment at offset " + (firstOffset + count) + ")";
      };
    }
  }
}
