/** A read/write-splitting DataSource over HikariCP pools, with replica health, lag and failover. */
module io.scaleblocks.replication {
  requires transitive java.sql;
  requires transitive com.zaxxer.hikari;
  requires transitive io.scaleblocks.lb;
  requires io.scaleblocks.config;
  requires org.slf4j;
  requires static micrometer.core;

  exports io.scaleblocks.replication;
  exports io.scaleblocks.replication.micrometer;
}
