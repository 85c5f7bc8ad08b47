/** Micrometer meters of a {@link io.scaleblocks.replication.ReplicationDataSource}; needs micrometer-core. */
package io.scaleblocks.replication.micrometer;
