package io.scaleblocks.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The default pool of a scatter-gather stays bounded when a shard hangs past its deadline. */
class ScatterGatherPoolTest {

  private static long threadsNamed(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith(prefix + "-")).count();
  }

  @Test
  void aShardThatIgnoresInterruptsDoesNotGrowTheDefaultPoolPastItsBound() {
    CountDownLatch release = new CountDownLatch(1);
    List<Shard<String>> shards = List.of(Shard.of("hung", "x"), Shard.of("fine", "y"));
    try (ScatterGather<String> sg = ScatterGather.over(shards).name("hang-test")
        .deadline(Duration.ofMillis(20)).partialFailure(ScatterGather.PartialFailurePolicy.PARTIAL)
        .maxThreads(4).build()) {
      int answered = 0;
      for (int q = 0; q < 30; q++) {
        ScatterGather.Result<List<String>> r;
        try {
          r = sg.query(shard -> {
          if (shard.id().equals("hung")) {
            // A socket read that an interrupt does not end.
            while (release.getCount() > 0) {
              try {
                release.await();
              } catch (InterruptedException ignored) {
                // like a blocked JDBC read: the interrupt changes nothing
              }
            }
          }
          return List.of(shard.id());
          }, Gather.concat());
        } catch (ScatterGatherException allFailed) {
          // Once hung tasks hold every thread, the healthy shard's task waits and times out too.
          continue;
        }
        assertTrue(r.failures().containsKey("hung"), r.toString());
        answered++;
      }
      assertTrue(answered >= 1, "the healthy shard answered while threads were free");
      assertTrue(threadsNamed("hang-test") <= 4, threadsNamed("hang-test") + " threads");
    } finally {
      release.countDown();
    }
  }

  @Test
  void settingsFollowTheConvention() {
    ScatterGather.over(List.of(Shard.of("a", "x"))).from(Map.of("deadline", "250ms",
        "partial-failure", "partial", "max-threads", "8")).build().close();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ScatterGather.over(List.of(Shard.of("a", "x"))).from(Map.of("dead-lines", "1s")));
    assertTrue(e.getMessage().contains("'dead-lines'"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> ScatterGather.over(List.of(Shard.of("a", "x"))).from(Map.of("max-threads", "0")));
    assertEquals(ScatterGather.DEFAULT_MAX_THREADS, 16);
  }
}
