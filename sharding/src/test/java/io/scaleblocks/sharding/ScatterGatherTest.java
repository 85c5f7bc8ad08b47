package io.scaleblocks.sharding;

import static io.scaleblocks.sharding.PlacementContractTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class ScatterGatherTest {

  /** Four in-memory shards of random scores. */
  private static List<Shard<List<Long>>> shards() {
    SplittableRandom random = new SplittableRandom(8);
    List<Shard<List<Long>>> shards = new ArrayList<>();
    for (int s = 0; s < 4; s++) {
      List<Long> rows = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        rows.add(random.nextLong(1_000_000));
      }
      shards.add(Shard.of("s" + s, rows));
    }
    return shards;
  }

  private static ScatterGather.ShardTask<List<Long>, Long> topK(int k) {
    return shard -> shard.resource().stream().sorted(Comparator.reverseOrder()).limit(k).toList();
  }

  @Test
  void kWayMergeWithLimitGivesTheGlobalTopK() {
    List<Shard<List<Long>>> shards = shards();
    List<Long> expected = shards.stream().flatMap(s -> s.resource().stream())
        .sorted(Comparator.reverseOrder()).limit(25).toList();
    try (ScatterGather<List<Long>> sg = ScatterGather.over(shards).build()) {
      ScatterGather.Result<List<Long>> result =
          sg.query(topK(25), Gather.mergeSorted(Comparator.<Long>reverseOrder(), 25));
      assertEquals(expected, result.value());
      assertTrue(result.complete());
    }
  }

  @Test
  void concatenationAndAggregatesCoverEveryShard() {
    List<Shard<List<Long>>> shards = shards();
    try (ScatterGather<List<Long>> sg = ScatterGather.over(shards).build()) {
      assertEquals(4_000, sg.query(shard -> shard.resource(), Gather.concat()).value().size());
      Gather.Aggregate total = sg.query(shard -> {
        List<Long> rows = shard.resource();
        return List.of(new Gather.Aggregate(rows.size(), rows.stream().mapToLong(Long::longValue).sum(),
            rows.stream().mapToLong(Long::longValue).min().getAsLong(),
            rows.stream().mapToLong(Long::longValue).max().getAsLong()));
      }, Gather.aggregate()).value();
      List<Long> all = shards.stream().flatMap(s -> s.resource().stream()).toList();
      assertEquals(all.size(), total.count());
      assertEquals(all.stream().mapToLong(Long::longValue).sum(), total.sum());
      assertEquals(all.stream().mapToLong(Long::longValue).min().getAsLong(), total.min());
      assertEquals(all.stream().mapToLong(Long::longValue).max().getAsLong(), total.max());
    }
  }

  @Test
  void underPolicyFailAFailedShardFailsTheCallNamingIt() {
    try (ScatterGather<List<Long>> sg = ScatterGather.over(shards()).build()) {
      ScatterGatherException e = assertThrows(ScatterGatherException.class, () -> sg.query(shard -> {
        if (shard.id().equals("s2")) {
          throw new IllegalStateException("s2 is down");
        }
        return shard.resource();
      }, Gather.concat()));
      assertEquals(List.of("s2"), List.copyOf(e.failures().keySet()));
      assertTrue(e.getMessage().contains("s2 is down"), e.getMessage());
    }
  }

  @Test
  void underPolicyPartialTheAnswerCoversTheRestAndNamesTheFailedShard() {
    try (ScatterGather<List<Long>> sg = ScatterGather.over(shards())
        .partialFailure(ScatterGather.PartialFailurePolicy.PARTIAL).build()) {
      ScatterGather.Result<List<Long>> result = sg.query(shard -> {
        if (shard.id().equals("s1")) {
          throw new IllegalStateException("s1 is down");
        }
        return shard.resource();
      }, Gather.concat());
      assertFalse(result.complete());
      assertEquals(List.of("s1"), List.copyOf(result.failures().keySet()));
      assertEquals(3_000, result.value().size());
    }
  }

  @Test
  void aShardThatMissesTheDeadlineCountsAsFailedAndIsInterrupted() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    try (ScatterGather<List<Long>> sg = ScatterGather.over(shards()).deadline(Duration.ofMillis(100))
        .partialFailure(ScatterGather.PartialFailurePolicy.PARTIAL).build()) {
      ScatterGather.Result<List<Long>> result = sg.query(shard -> {
        if (shard.id().equals("s3")) {
          started.countDown();
          try {
            new CountDownLatch(1).await();
          } catch (InterruptedException e) {
            interrupted.countDown();
          }
          return List.of();
        }
        return shard.resource();
      }, Gather.concat());
      assertEquals(List.of("s3"), List.copyOf(result.failures().keySet()));
      assertTrue(result.failures().get("s3") instanceof TimeoutException);
      assertEquals(3_000, result.value().size());
      // On a loaded machine the late task may not have started within the deadline: cancelled
      // before it ran, it never runs. One that did start is interrupted.
      if (started.getCount() == 0) {
        assertTrue(interrupted.await(10, TimeUnit.SECONDS), "the late shard's task was not interrupted");
      }
    }
  }

  @Test
  void badInputIsRejectedNamingTheValue() {
    assertMessage(IllegalArgumentException.class, "at least one shard",
        () -> ScatterGather.over(List.<Shard<String>>of()));
    assertMessage(IllegalArgumentException.class, "deadline must be > 0 but was PT0S",
        () -> ScatterGather.over(shards()).deadline(Duration.ZERO));
    assertMessage(IllegalArgumentException.class, "limit must be > 0 but was 0",
        () -> Gather.mergeSorted(Comparator.<Long>naturalOrder(), 0));
  }
}
