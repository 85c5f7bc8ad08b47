/**
 * Sharding over JDBC shard {@link javax.sql.DataSource}s: a live migrator that moves a table's
 * rows to a new topology ({@link io.scaleblocks.sharding.jdbc.JdbcShardMigrator}) and SQL tasks
 * for scatter-gather ({@link io.scaleblocks.sharding.jdbc.ShardQueries}). Uses only
 * {@code java.sql}/{@code javax.sql}; no driver or pool classes.
 */
package io.scaleblocks.sharding.jdbc;
