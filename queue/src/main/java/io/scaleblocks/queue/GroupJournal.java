package io.scaleblocks.queue;

/**
 * Where a group's progress is kept: its cursor, acknowledgements and redelivery counts. Writes are
 * called under the group's lock; {@link #sync} outside it, from any thread.
 */
interface GroupJournal {

  /** The state written so far (at open). */
  GroupSnapshot load();

  /** Offsets below {@code next} have been delivered at least once. */
  void cursor(long next);

  /** {@code offset} has been delivered {@code count} times. */
  void redelivered(long offset, int count);

  /** Offsets in {@code [from, to)} are done; returns the sequence to pass to {@link #sync}. */
  long acked(long from, long to);

  /** Returns once the writes up to {@code sequence} are durable per the policy. */
  void sync(long sequence);

  /** May replace the journal by one snapshot of {@code state} (temp file, then rename). */
  void compactIfLarge(java.util.function.Supplier<GroupSnapshot> state);

  void close();
}
