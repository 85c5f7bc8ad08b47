/**
 * Cache-aside with selectable local policies, write strategies, stampede protection, a Redis
 * tier and a near cache. Jedis and Micrometer are optional: only {@code io.scaleblocks.cache.redis}
 * needs Jedis, and only {@code io.scaleblocks.cache.micrometer} needs Micrometer.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.scaleblocks.cache {
  requires com.github.benmanes.caffeine;
  requires org.slf4j;
  requires io.scaleblocks.config;
  requires transitive io.scaleblocks.sharding;
  // Optional, and part of the API of the packages that use them (.redis, .micrometer).
  requires static transitive redis.clients.jedis;
  requires static org.apache.commons.pool2;
  requires static transitive micrometer.core;

  exports io.scaleblocks.cache;
  exports io.scaleblocks.cache.redis;
  exports io.scaleblocks.cache.micrometer;
}
