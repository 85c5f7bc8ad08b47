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

  /**
   * {@code bytes} corrupt bytes at {@code position} of {@code file}, in front of a valid record,
   * which held the messages {@code [firstOffset, firstOffset + count)} of the topic.
   */
  public record Corruption(Path file, long position, long bytes, long firstOffset, long count) {}
}
