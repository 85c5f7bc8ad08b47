package io.scaleblocks.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scaleblocks.cache.CacheAside;
import io.scaleblocks.cache.CacheBackend;
import io.scaleblocks.cache.Codec;
import io.scaleblocks.cache.Store;
import io.scaleblocks.cache.WriteStrategy;
import io.scaleblocks.testkit.Await;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/**
 * On the Cluster, where pub/sub is broadcast between nodes and each key's script runs on the
 * node of its slot, every other instance drops the keys one instance writes (each key's tagged
 * message and its bare twin come from one node, in order), and the writer keeps its own values.
 */
class ClusterInvalidationEchoIT {

  private static final int KEYS = 60;

  private final String prefix = "it:cecho:" + UUID.randomUUID() + ":";
  private final ConcurrentHashMap<String, String> db = new ConcurrentHashMap<>();

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

  @Test
  void everyOtherInstanceDropsTheWrittenKeysAndTheWriterKeepsThem() throws Exception {
    try (UnifiedJedis ja = RedisCacheBackendIT.connect("cluster"); UnifiedJedis jb = RedisCacheBackendIT.connect("cluster")) {
      CacheBackend<String, String> ba = RedisCacheBackends.builder(ja, Codec.utf8(), Codec.utf8()).prefix(prefix)
          .name("a").build();
      CacheBackend<String, String> bb = RedisCacheBackends.builder(jb, Codec.utf8(), Codec.utf8()).prefix(prefix)
          .name("b").build();
      CacheAside<String, String> a = cache("a", ba);
      CacheAside<String, String> b = cache("b", bb);
      // Both subscriptions confirmed: a published invalidation reaches b.
      db.put("probe", "p0");
      Await.until("b's channel", Duration.ofSeconds(10), () -> {
        b.get("probe");
        a.write("probe", "p" + System.nanoTime());
        return b.getIfPresent("probe").isEmpty();
      });
      for (int round = 1; round <= 3; round++) {
        for (int i = 0; i < KEYS; i++) {
          db.put("k" + i, "old" + round);
          b.invalidate("k" + i);
          assertEquals(Optional.of("old" + round), b.get("k" + i));
        }
        // b's invalidations reach a by pub/sub; one arriving after a's write below would drop it
        Await.until("a to drop the keys b invalidated", Duration.ofSeconds(10), () -> {
          for (int i = 0; i < KEYS; i++) {
            if (a.getIfPresent("k" + i).isPresent()) {
              return false;
            }
          }
          return true;
        });
        for (int i = 0; i < KEYS; i++) {
          a.write("k" + i, "v" + round);
        }
        int r = round;
        Await.until("b to drop every written key", Duration.ofSeconds(10), () -> {
          for (int i = 0; i < KEYS; i++) {
            if (b.getIfPresent("k" + i).equals(Optional.of("old" + r))) {
              return false;
            }
          }
          return true;
        });
        Thread.sleep(200); // real pub/sub delivery of a's echoes, which no clock of ours drives
        int kept = 0;
        for (int i = 0; i < KEYS; i++) {
          kept += a.getIfPresent("k" + i).equals(Optional.of("v" + round)) ? 1 : 0;
          assertEquals(Optional.of("v" + round), b.get("k" + i));
        }
        assertEquals(KEYS, kept, "round " + round + ": a kept its own writes");
      }
      a.close();
      b.close();
      ba.close();
      bb.close();
    }
  }
}
