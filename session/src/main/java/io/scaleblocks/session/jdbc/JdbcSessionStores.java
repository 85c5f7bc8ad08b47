package io.scaleblocks.session.jdbc;

import io.scaleblocks.session.SessionIds;
import io.scaleblocks.session.SessionStoreConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The JDBC store: a row per session and a row per attribute, in the tables of this package's DDL
 * ({@link Dialect#schemaResource()}).
 *
 * <pre>{@code
 * JdbcSessionStore store = JdbcSessionStores.builder(dataSource, Dialect.POSTGRESQL)
 *     .config(SessionStoreConfig.ofDefaults()).build();
 * }</pre>
 *
 * <p>Give it a pooled {@link DataSource} (HikariCP): every call borrows a connection for one
 * short transaction. The data source is the caller's; {@code close()} stops only the cleanup.
 */
public final class JdbcSessionStores {

  public static final String DEFAULT_TABLE = "sb_session";
  public static final Duration DEFAULT_CLEANUP_INTERVAL = Duration.ofMinutes(1);
  public static final int DEFAULT_CLEANUP_BATCH = 500;
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,47}");

  private JdbcSessionStores() {}

  public static Builder builder(DataSource dataSource, Dialect dialect) {
    return new Builder(dataSource, dialect);
  }

  /** The DDL for {@code dialect}, with {@code table} in place of {@value #DEFAULT_TABLE}. */
  public static String schema(Dialect dialect, String table) {
    checkTable(table);
    try (InputStream in = JdbcSessionStores.class.getResourceAsStream(dialect.schemaResource())) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + dialect.schemaResource());
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace(DEFAULT_TABLE, table);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String checkTable(String table) {
    Objects.requireNonNull(table, "table");
    if (!IDENTIFIER.matcher(table).matches()) {
      throw new IllegalArgumentException("table must be a lower-case SQL identifier of at most 48 characters "
          + "but was '" + table + "'");
    }
    return table;
  }

  /** Configures a JDBC store. Not thread-safe. */
  public static final class Builder {
    final DataSource dataSource;
    final Dialect dialect;
    SessionStoreConfig config = SessionStoreConfig.ofDefaults();
    SessionIds ids;
    Clock clock = Clock.systemUTC();
    String table = DEFAULT_TABLE;
    Duration cleanupInterval = DEFAULT_CLEANUP_INTERVAL;
    int cleanupBatch = DEFAULT_CLEANUP_BATCH;
    boolean createSchema;

    Builder(DataSource dataSource, Dialect dialect) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      this.dialect = Objects.requireNonNull(dialect, "dialect");
    }

    public Builder config(SessionStoreConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    public Builder ids(SessionIds ids) {
      this.ids = Objects.requireNonNull(ids, "ids");
      return this;
    }

    /** The clock of every deadline; the database's clock is never read. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The sessions table; attributes go to {@code <table>_attribute}. */
    public Builder table(String table) {
      this.table = checkTable(table);
      return this;
    }

    /** How often the background cleanup runs {@link JdbcSessionStore#removeExpired()}; zero for never. */
    public Builder cleanupInterval(Duration interval) {
      Objects.requireNonNull(interval, "cleanup interval");
      if (interval.isNegative() || (!interval.isZero() && interval.toMillis() < 10)) {
        throw new IllegalArgumentException("cleanup interval must be zero or at least 10ms but was " + interval);
      }
      this.cleanupInterval = interval;
      return this;
    }

    /** Sessions deleted per cleanup transaction. */
    public Builder cleanupBatch(int batch) {
      if (batch < 1 || batch > 10_000) {
        throw new IllegalArgumentException("cleanup batch must be between 1 and 10000 but was " + batch);
      }
      this.cleanupBatch = batch;
      return this;
    }

    /** Whether {@code build()} runs the dialect's DDL first (it only creates what is missing). */
    public Builder createSchema(boolean create) {
      this.createSchema = create;
      return this;
    }

    public JdbcSessionStore build() {
      return new SqlSessionStore(this);
    }
  }
}
