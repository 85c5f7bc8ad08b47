package io.scaleblocks.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.cache.CacheAside;
import io.scaleblocks.cache.CacheBackend;
import io.scaleblocks.cache.Codec;
import io.scaleblocks.cache.InvalidationListener;
import io.scaleblocks.cache.Store;
import io.scaleblocks.cache.WriteStrategy;
import io.scaleblocks.testkit.Await;
import io.scaleblocks.testkit.ServerAddresses;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;

/**
 * A cache ignores the pub/sub echo of its own invalidations, but hears every other cache's: one
 * on another connection, one on the same backend object, and one of an earlier version that
 * publishes bare keys.
 */
class InvalidationEchoIT {

  private static final int KEYS = 20;

  private final String prefix = "it:echo:" + UUID.randomUUID() + ":";
  private final ConcurrentHashMap<String, String> db = new ConcurrentHashMap<>();
  private final UnifiedJedis jedis = RedisCacheBackendIT.connect("standalone");
  private final Jedis admin = new Jedis(URI.create(ServerAddresses.redisUrl()));

  @AfterEach
  void close() {
    jedis.close();
    admin.close();
  }

  private CacheBackend<String, String> backend(String name) {
    // A slow heartbeat: the gate below holds the subscriber thread while a round is written.
    return RedisCacheBackends.builder(jedis, Codec.utf8(), Codec.utf8()).prefix(prefix).name(name)
        .heartbeat(Duration.ofSeconds(5)).build();
  }

  private CacheAside<String, String> cache(String name, CacheBackend<String, String> backend) {
    Store<String, String> store = new Store<>() {
      @Override
      public void write(String key, String value) {
        db.put(key, value);
      }

      @Override
      public void delete(String key) {
        db.remove(key);
      }
    };
    return CacheAside.<String, String>builder(key -> Optional.ofNullable(db.get(key))).name(name).backend(backend)
        .store(store, WriteStrategy.WRITE_THROUGH).earlyRefresh(0).build();
  }

  /**
   * The first listener of a backend: while shut, it holds the subscriber thread, so the listeners
   * after it hear each invalidation only once it opens; it records the keys it was told of.
   */
  private static final class Gate implements InvalidationListener<String> {
    private volatile CountDownLatch open = new CountDownLatch(0);
    private final Set<String> heard = ConcurrentHashMap.newKeySet();
    private final CountDownLatch confirmed = new CountDownLatch(1);

    void shut() {
      open = new CountDownLatch(1);
    }

    void open() {
      open.countDown();
    }

    @Override
    public void invalidated(String key) {
      try {
        open.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      heard.add(key);
    }

    @Override
    public void disconnected(Predicate<? super String> covers) {
    }

    @Override
    public void reconnected(Predicate<? super String> covers) {
      confirmed.countDown();
    }
  }

  private static Gate gateOn(CacheBackend<String, String> backend) throws InterruptedException {
    Gate gate = new Gate();
    backend.subscribe(gate);
    assertTrue(gate.confirmed.await(5, TimeUnit.SECONDS), "the subscription was never confirmed");
    return gate;
  }

  @Test
  void aWriteThroughKeepsItsOwnValuesWhenTheirEchoArrivesAfterTheLocalPut() throws Exception {
    CacheBackend<String, String> backend = backend("a");
    Gate gate = gateOn(backend);
    CacheAside<String, String> a = cache("a", backend);
    for (int round = 1; round <= 5; round++) {
      gate.shut();
      for (int i = 0; i < KEYS; i++) {
        a.write("k" + i, "v" + round);
      }
      gate.open();
      // Every echo of this round's writes reached a by the time the gate hears the marker after them.
      String marker = "marker-" + round;
      a.invalidate(marker);
      Await.until("the echoes of round " + round, Duration.ofSeconds(5), () -> gate.heard.contains(marker));
      int kept = 0;
      for (int i = 0; i < KEYS; i++) {
        kept += a.getIfPresent("k" + i).equals(Optional.of("v" + round)) ? 1 : 0;
      }
      assertEquals(KEYS, kept, "round " + round + ": just-written keys still in a's local tier");
    }
    a.close();
    backend.close();
  }

  @Test
  void aWriteThroughKeepsItsOwnValuesTwoHundredMillisecondsLater() throws Exception {
    CacheBackend<String, String> backend = backend("a");
    gateOn(backend);
    CacheAside<String, String> a = cache("a", backend);
    for (int round = 1; round <= 5; round++) {
      for (int i = 0; i < KEYS; i++) {
        a.write("k" + i, "v" + round);
      }
      Thread.sleep(200); // real pub/sub delivery, which no clock of ours drives
      int kept = 0;
      for (int i = 0; i < KEYS; i++) {
        kept += a.getIfPresent("k" + i).equals(Optional.of("v" + round)) ? 1 : 0;
      }
      assertEquals(KEYS, kept, "round " + round + ": just-written keys still in a's local tier after 200 ms");
    }
    a.close();
    backend.close();
  }

  @Test
  void aSecondCacheOnTheSameBackendObjectStillHearsTheFirstOnesInvalidation() throws Exception {
    CacheBackend<String, String> backend = backend("shared");
    gateOn(backend);
    CacheAside<String, String> a = cache("a", backend);
    CacheAside<String, String> b = cache("b", backend);
    db.put("k", "v1");
    assertEquals(Optional.of("v1"), b.get("k"));
    a.write("k", "v2");
    Await.until("b to drop k", Duration.ofSeconds(5), () -> b.getIfPresent("k").isEmpty());
    assertEquals(Optional.of("v2"), b.get("k"));
    assertEquals(Optional.of("v2"), a.getIfPresent("k"), "a kept its own write");
    a.close();
    b.close();
    backend.close();
  }

  @Test
  void aBareKeyFromAnEarlierVersionIsApplied() throws Exception {
    CacheBackend<String, String> backend = backend("b");
    gateOn(backend);
    CacheAside<String, String> b = cache("b", backend);
    db.put("k", "v1");
    assertEquals(Optional.of("v1"), b.get("k"));
    admin.publish(prefix + "invalidations", "k");
    Await.until("b to drop k", Duration.ofSeconds(5), () -> b.getIfPresent("k").isEmpty());
    b.close();
    backend.close();
  }

  @Test
  void aSubscriberOfAnEarlierVersionStillHearsEachInvalidationOnce() throws Exception {
    LinkedBlockingQueue<String> heard = new LinkedBlockingQueue<>();
    CountDownLatch subscribed = new CountDownLatch(1);
    BinaryJedisPubSub earlier = new BinaryJedisPubSub() {
      @Override
      public void onMessage(byte[] channel, byte[] message) {
        heard.add(new String(message, StandardCharsets.UTF_8));
      }

      @Override
      public void onSubscribe(byte[] channel, int count) {
        subscribed.countDown();
      }
    };
    Thread reader = new Thread(() -> {
      try (Jedis subscriber = new Jedis(URI.create(ServerAddresses.redisUrl()))) {
        subscriber.subscribe(earlier, (prefix + "invalidations").getBytes(StandardCharsets.UTF_8));
      }
    });
    reader.start();
    assertTrue(subscribed.await(5, TimeUnit.SECONDS));
    CacheBackend<String, String> backend = backend("a");
    CacheAside<String, String> a = cache("a", backend);
    a.write("k", "v1");
    a.invalidate("j");
    assertEquals("k", heard.poll(5, TimeUnit.SECONDS));
    assertEquals("j", heard.poll(5, TimeUnit.SECONDS));
    earlier.unsubscribe();
    reader.join(5_000);
    assertEquals(null, heard.poll(), "one bare message per invalidation");
    a.close();
    backend.close();
  }
}
