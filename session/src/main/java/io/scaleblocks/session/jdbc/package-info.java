/**
 * The JDBC store: sessions in two tables of a SQL database (PostgreSQL, H2, MySQL), through
 * prepared statements only. See {@link io.scaleblocks.session.jdbc.JdbcSessionStores}; the DDL is
 * in this package's resources ({@code schema-postgresql.sql}, {@code schema-h2.sql}, {@code
 * schema-mysql.sql}).
 */
package io.scaleblocks.session.jdbc;
