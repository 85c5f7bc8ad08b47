/** Hash functions, consistent-hash placements, shard routing, resharding and scatter-gather. */
module io.scaleblocks.sharding {
  requires org.slf4j;
  requires static micrometer.core;
  requires transitive java.sql;

  exports io.scaleblocks.sharding;
  exports io.scaleblocks.sharding.jdbc;
  exports io.scaleblocks.sharding.micrometer;
}
