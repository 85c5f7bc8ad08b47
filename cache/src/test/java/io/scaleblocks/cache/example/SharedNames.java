package io.scaleblocks.cache.example;

// README-BEGIN
import io.scaleblocks.cache.CacheAside;
import io.scaleblocks.cache.CacheBackend;
import io.scaleblocks.cache.Codec;
import io.scaleblocks.cache.redis.RedisCacheBackends;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;

public class SharedNames {
  public static void main(String[] args) {
    Map<Long, String> db = Map.of(42L, "Ada");                     // your database
    HostAndPort server = new HostAndPort(args[0], Integer.parseInt(args[1]));
    try (RedisClient redis = RedisCacheBackends.standalone(server, Duration.ofMillis(100));
         CacheBackend<Long, String> shared = RedisCacheBackends.builder(redis, Codec.longs(), Codec.utf8())
             .prefix("names:").build();
         CacheAside<Long, String> names = CacheAside.<Long, String>builder(id -> Optional.ofNullable(db.get(id)))
             .name("names").backend(shared).build()) {
      System.out.println(names.get(42L));                           // local, then Redis, then db
    }
  }
}
// README-END
