/**
 * ScaleBlocks sharding: hash functions, consistent-hash placements, shard routing, resharding,
 * hot keys and scatter-gather. {@code io.scaleblocks.sharding.jdbc} uses only {@code java.sql}
 * types in its API; the Micrometer binder needs {@code micrometer.core} at run time only if used.
 */
module io.scaleblocks.sharding {
  requires transitive java.sql;
  requires io.scaleblocks.config;
  requires org.slf4j;
  requires static micrometer.core;

  exports io.scaleblocks.sharding;
  exports io.scaleblocks.sharding.jdbc;
  exports io.scaleblocks.sharding.micrometer;
}
