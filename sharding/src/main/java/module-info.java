/** Hash functions, consistent-hash placements, shard routing, resharding and scatter-gather. */
module io.scaleblocks.sharding {
  requires transitive java.sql;
  requires org.slf4j;
  requires static micrometer.core;

  exports io.scaleblocks.sharding;
  exports io.scaleblocks.sharding.jdbc;
  exports io.scaleblocks.sharding.micrometer;
}
