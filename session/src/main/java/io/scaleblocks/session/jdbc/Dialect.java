package io.scaleblocks.session.jdbc;

/** The SQL dialects the JDBC store speaks. Only the find statement and the DDL differ. */
public enum Dialect {
  /** PostgreSQL 12+: a find is one statement ({@code UPDATE … RETURNING} joined with the attributes). */
  POSTGRESQL("schema-postgresql.sql"),
  /** H2 2.x: a find is an update and a select in one transaction. */
  H2("schema-h2.sql"),
  /**
   * MySQL 8.0+ and MariaDB (InnoDB): a find is an update and a select in one transaction. Tested
   * on MariaDB 10.11, not on MySQL itself. The driver must count matched rows, as the MySQL and
   * MariaDB drivers do by default (not {@code useAffectedRows=true}).
   */
  MYSQL("schema-mysql.sql");

  private final String schemaResource;

  Dialect(String schemaResource) {
    this.schemaResource = schemaResource;
  }

  /** The DDL file in this package's resources. */
  public String schemaResource() {
    return schemaResource;
  }
}
