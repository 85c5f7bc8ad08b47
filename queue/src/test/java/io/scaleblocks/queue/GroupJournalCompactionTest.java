package io.scaleblocks.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.queue.internal.QueueCounters;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupJournalCompactionTest {

  @TempDir
  Path dir;

  @Test
  void oneUnacknowledgedOffsetDoesNotMakeEveryLaterAckRewriteTheSnapshot() throws Exception {
    int n = 200_000;
    QueueConfig config = QueueConfig.builder().durability(Durability.NONE).build();
    FileGroupJournal journal = new FileGroupJournal(dir.resolve("g" + FileGroupJournal.SUFFIX),
        config, FileIo.SYSTEM, new QueueCounters());
    GroupState group = new GroupState("t", "g", journal, 0);
    assertEquals(n + 1, group.lease(n + 1, n + 1, 0, 60_000, 5).size());
    // Offset 0 stays leased: every later ack lands in the done set, which the snapshot carries.
    int bound = 64; // O(log n): the snapshot grows geometrically between compactions
    for (long offset = 1; offset <= n; offset++) {
      group.markDone(new long[] {offset});
      assertTrue(journal.compactions() <= bound,
          "compacted " + journal.compactions() + " times after " + offset + " acks");
    }
    assertTrue(journal.compactions() >= 1, "the journal passed its compaction size");
    assertEquals(1, group.lag(n + 1), "only offset 0 is left");
    group.close();
  }
}
