/**
 * Cache-aside with selectable local policies, write strategies, stampede protection, a Redis
 * tier and a near cache. Jedis and Micrometer are optional: only {@code io.scaleblocks.cache.redis}
 * needs Jedis, and only {@code io.scaleblocks.cache.micrometer} needs Micrometer.
 */
module io.scaleblocks.cache {
  requires com.github.benmanes.caffeine;
  requires org.slf4j;
  requires io.scaleblocks.config;
  requires transitive io.scaleblocks.sharding;
  // Optional: only .redis needs Jedis and only .micrometer needs Micrometer. Not transitive, so a
  // user module that reads neither needs neither to compile; the classes whose signatures name
  // their types say so with @SuppressWarnings("exports").
  requires static redis.clients.jedis;
  requires static org.apache.commons.pool2;
  requires static micrometer.core;

  exports io.scaleblocks.cache;
  exports io.scaleblocks.cache.redis;
  exports io.scaleblocks.cache.micrometer;
}
