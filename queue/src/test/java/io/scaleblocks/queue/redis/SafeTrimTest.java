package io.scaleblocks.queue.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.StreamEntryID;

class SafeTrimTest {

  @Test
  void aGroupWithPendingEntriesNeedsItsOldestPendingOne() {
    assertEquals(new StreamEntryID(3, 0),
        SafeTrim.neededBy(new StreamEntryID(3, 0), new StreamEntryID(9, 2)));
  }

  @Test
  void whenXpendingReportsNoMinimumTheGroupNeedsTheEntryAfterItsLastDelivered() {
    // Every pending entry was acknowledged between XINFO GROUPS and XPENDING.
    assertEquals(new StreamEntryID(9, 3), SafeTrim.neededBy(null, new StreamEntryID(9, 2)));
  }
}
