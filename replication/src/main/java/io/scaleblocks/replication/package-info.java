/**
 * A read/write-splitting {@link javax.sql.DataSource} over a primary and its streaming replicas:
 * {@link io.scaleblocks.replication.ReplicationDataSource}, configured by
 * {@link io.scaleblocks.replication.ReplicationConfig}. Nothing in this package accepts or
 * returns null unless its Javadoc says so; optional values are {@link java.util.Optional}.
 */
package io.scaleblocks.replication;
