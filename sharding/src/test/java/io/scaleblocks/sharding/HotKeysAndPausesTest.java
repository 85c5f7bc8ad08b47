package io.scaleblocks.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Write pauses across threads, and hot-key reports that never hurt the recording thread. */
class HotKeysAndPausesTest {

  private static ShardRouter<String, String> router(int shards) {
    ShardRouter.Builder<String, String> builder = ShardRouter.builder();
    for (int i = 0; i < shards; i++) {
      builder.shard("s" + i, "db-" + i);
    }
    return builder.build();
  }

  @Test
  void aPauseClosedOnAnotherThreadReleasesTheWrites() throws Exception {
    ShardRouter<String, String> router = router(2);
    ShardRouter.WritePause pause = router.pauseWrites(Duration.ofSeconds(1));
    CompletableFuture<String> write = CompletableFuture.supplyAsync(() -> router.write("k", shard -> shard.id()));
    Thread.sleep(50);
    assertFalse(write.isDone(), "the write waits while paused");
    CompletableFuture.runAsync(pause::close).get(5, TimeUnit.SECONDS);
    assertEquals(router.shardFor("k").id(), write.get(5, TimeUnit.SECONDS), "the write went ahead");
    pause.close();
    try (ShardRouter.WritePause again = router.pauseWrites(Duration.ofSeconds(1))) {
      assertTrue(again.heldNanos() >= 0, "the gate can be paused again");
    }
  }

  @Test
  void aWriteInsideAWriteOnOneThreadDoesNotDeadlockAPause() throws Exception {
    ShardRouter<String, String> router = router(2);
    CompletableFuture<String> nested = CompletableFuture.supplyAsync(() -> router.write("outer", outer -> {
      CompletableFuture.runAsync(() -> {
        try {
          router.pauseWrites(Duration.ofMillis(200)).close();
        } catch (IllegalStateException expected) {
          // the outer write is in progress: the pause gives up, which is fine
        }
      });
      sleep(50);
      return router.write("inner", inner -> inner.id());
    }));
    assertEquals(router.shardFor("inner").id(), nested.get(5, TimeUnit.SECONDS));
  }

  @Test
  void aListenerThatThrowsNeverEscapesRecord() {
    AtomicInteger calls = new AtomicInteger();
    HotKeyDetector<String> detector = HotKeyDetector.<String>builder().window(1_000).share(0.1)
        .reportEvery(100).listener(new HotKeyDetector.Listener<>() {
          @Override
          public void becameHot(HotKey<String> hot) {
            calls.incrementAndGet();
            throw new IllegalStateException("listener bug");
          }
        }).build();
    for (int i = 0; i < 5_000; i++) {
      detector.record(i % 2 == 0 ? "celebrity" : "fan-" + i);
    }
    assertTrue(calls.get() >= 1, "the listener was called");
    assertEquals("celebrity", detector.hotKeys().get(0).key());
  }

  @Test
  void pinToAShardRemovedSinceDoesNotThrowIntoRecord() {
    ShardRouter<String, String> router = router(3);
    HotKeyDetector<String> detector = HotKeyDetector.<String>builder().window(1_000).share(0.1)
        .reportEvery(100).listener(HotKeyActions.pinTo(router, "s2")).build();
    router.update(t -> t.withoutShard("s2"));
    for (int i = 0; i < 5_000; i++) {
      detector.record(i % 2 == 0 ? "celebrity" : "fan-" + i);
    }
    assertTrue(router.topology().pins().isEmpty(), "nothing pinned to a shard that is gone");
  }

  @Test
  void keysWithOneHashCodeAreCountedApart() {
    assertEquals("Aa".hashCode(), "BB".hashCode());
    HotKeyDetector<String> detector = HotKeyDetector.<String>builder().window(10_000).share(0.05).build();
    detector.record("BB");
    for (int i = 0; i < 9_999; i++) {
      detector.record(i % 3 == 0 ? "Aa" : i % 500 == 1 ? "BB" : "fan-" + i);
    }
    List<String> hot = detector.hotKeys().stream().map(HotKey::key).toList();
    assertEquals(List.of("Aa"), hot, "BB takes 0.2% of the window");
  }

  @Test
  void byteArrayKeysRouteByContentByDefault() {
    ShardRouter<byte[], String> router = ShardRouter.<byte[], String>builder()
        .shard("s0", "a").shard("s1", "b").shard("s2", "c").build();
    for (int i = 0; i < 200; i++) {
      byte[] key = ("user:" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      assertEquals(router.shardFor(key).id(), router.shardFor(key.clone()).id(), "key " + i);
      assertEquals(router.hashOf(key), router.hashOf(key.clone()));
    }
    ShardRouter<Object, String> objects = ShardRouter.<Object, String>builder().shard("s0", "a").build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> objects.shardFor(new int[] {1, 2}));
    assertTrue(e.getMessage().contains("int[]"), e.getMessage());
  }

  @Test
  void hotKeysCalledFromAnotherThreadNeverHidesAHotKey() throws Exception {
    HotKeyDetector<String> detector = HotKeyDetector.<String>builder().window(2_000).share(0.05)
        .reportEvery(1_000).build();
    AtomicBoolean running = new AtomicBoolean(true);
    List<Throwable> errors = new ArrayList<>();
    Thread scraper = new Thread(() -> {
      try {
        while (running.get()) {
          detector.hotKeys();
        }
      } catch (Throwable t) {
        errors.add(t);
      }
    });
    scraper.start();
    // A key that flickers around the threshold: hot, cooler, hot again, over and over.
    for (int round = 0; round < 200; round++) {
      for (int i = 0; i < 2_000; i++) {
        int every = round % 2 == 0 ? 10 : 40;
        detector.record(i % every == 0 ? "flicker" : "fan-" + round + "-" + i);
      }
    }
    for (int i = 0; i < 2_000; i++) {
      detector.record(i % 10 == 0 ? "flicker" : "fan-last-" + i);
    }
    running.set(false);
    scraper.join();
    assertEquals(List.of(), errors);
    assertEquals(List.of("flicker"), detector.hotKeys().stream().map(HotKey::key).toList());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * One pause at a time: a second waits for the first, within its own timeout. A second pause
   * interrupted while it waits must leave the first one holding writes.
   */
  @Test
  void anInterruptedSecondPauseLeavesTheFirstPauseHoldingWrites() throws Exception {
    ShardRouter<String, String> router = ShardRouter.<String, String>builder()
        .shard("s0", "db-0").shard("s1", "db-1").build();
    ShardRouter.WritePause first = router.pauseWrites(Duration.ofSeconds(1));
    CompletableFuture<String> write = null;
    try {
      AtomicReference<Throwable> secondFailed = new AtomicReference<>();
      Thread second = new Thread(() -> {
        try {
          router.pauseWrites(Duration.ofSeconds(30)).close();
        } catch (RuntimeException e) {
          secondFailed.set(e);
        }
      }, "second-pause");
      second.start();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (second.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < until) {
        Thread.sleep(5);
      }
      assertTrue(second.getState() == Thread.State.TIMED_WAITING, "the second pause waits for the first");
      second.interrupt();
      second.join(5_000);
      assertFalse(second.isAlive());
      assertTrue(secondFailed.get() instanceof IllegalStateException, String.valueOf(secondFailed.get()));

      // The first pause is still open: a write must still be held.
      write = CompletableFuture.supplyAsync(() -> router.write("k", shard -> shard.id()));
      CompletableFuture<String> held = write;
      assertThrows(TimeoutException.class, () -> held.get(300, TimeUnit.MILLISECONDS),
          "a write went through while the first pause was still open: the interrupted second pause"
              + " released it");
    } finally {
      first.close();
      if (write != null) {
        write.get(5, TimeUnit.SECONDS);
      }
    }
  }
}
