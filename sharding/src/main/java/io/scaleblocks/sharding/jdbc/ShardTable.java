package io.scaleblocks.sharding.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLXML;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * The SQL a migration runs against one table on any shard: pages of whole keys, reads of given
 * keys, replacing and deleting the rows of keys. A key is a value of the key column, which need
 * not be unique: every operation reads or writes all rows of a key together.
 *
 * <p>Standard SQL only ({@code ORDER BY ... LIMIT}, {@code IN} lists of at most
 * {@code batchSize} and {@value #MAX_IN_LIST} keys, a delete and an insert batch in one transaction). Immutable and
 * thread-safe; every call takes its own connection and returns it.
 */
final class ShardTable {

  /** The rows of one key, each row the key column first, then the other columns in order. */
  record KeyRows(Object key, List<Object[]> rows) {}

  /** A page of whole keys; {@code last} when no key follows it. */
  record Page(List<KeyRows> keys, boolean last) {}

  /**
   * The most parameters one {@code IN} list binds: PostgreSQL's protocol carries at most 65,535
   * per statement, and half of that leaves room for the other parameters.
   */
  static final int MAX_IN_LIST = 32_767;

  private final String table;
  private final String keyColumn;
  private final List<String> columns;
  private final int batchSize;
  private final boolean paddedKey;
  /** Whether inserts say {@code OVERRIDING SYSTEM VALUE} (PostgreSQL, a table with an identity). */
  private final boolean overrideIdentity;
  private final Function<Object, Object> identity;
  private final String selectList;

  /**
   * @param paddedKey whether the key column is {@code CHAR}/{@code NCHAR}: its values arrive
   *     padded with blanks, which are stripped so they hash as the router's keys do
   * @param overrideIdentity whether inserts keep the copied values of identity columns
   *     ({@code OVERRIDING SYSTEM VALUE}, PostgreSQL), which refuse them otherwise
   * @param identity a key column value (stripped) to the key's identity, the router key it
   *     maps to: what reads are keyed by
   */
  ShardTable(String table, String keyColumn, List<String> columns, int batchSize, boolean paddedKey,
      boolean overrideIdentity, Function<Object, Object> identity) {
    this.table = table;
    this.keyColumn = keyColumn;
    this.columns = List.copyOf(columns);
    this.batchSize = batchSize;
    this.paddedKey = paddedKey;
    this.overrideIdentity = overrideIdentity;
    this.identity = identity;
    this.selectList = keyColumn + (columns.isEmpty() ? "" : ", " + String.join(", ", columns));
  }

  /** A table for deleting keys only (the cleanup): it reads no other column. */
  static ShardTable forDeletes(String table, String keyColumn, int batchSize) {
    return new ShardTable(table, keyColumn, List.of(), batchSize, false, false, KeyValues::canonical);
  }

  /** The identity of key column value {@code key}: the router key it maps to, canonical. */
  Object identity(Object key) {
    return identity.apply(key);
  }

  /** The rows with a NULL key: no router key maps to them. */
  long nullKeys(DataSource shard) throws SQLException {
    String sql = "SELECT count(*) FROM " + table + " WHERE " + keyColumn + " IS NULL";
    try (Connection c = shard.getConnection(); PreparedStatement s = c.prepareStatement(sql);
        ResultSet rs = s.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  int batchSize() {
    return batchSize;
  }

  /**
   * The keys after {@code after} (from the first if null) in key order, about {@code batchSize}
   * rows of them, each key with all its rows; empty at the end. A page that stops inside a key's
   * rows is completed with one more read of that key.
   */
  Page page(DataSource shard, Object after) throws SQLException {
    String sql = "SELECT " + selectList + " FROM " + table
        + (after == null ? "" : " WHERE " + keyColumn + " > ?") + " ORDER BY " + keyColumn + " LIMIT ?";
    List<Object[]> rows;
    try (Connection c = shard.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
      int p = 1;
      if (after != null) {
        s.setObject(p++, after);
      }
      s.setInt(p, batchSize);
      rows = rows(s);
    }
    List<KeyRows> page = group(rows);
    boolean last = rows.size() < batchSize;
    if (!last) {
      Object lastKey = page.get(page.size() - 1).key();
      List<Object[]> whole = read(shard, List.of(lastKey)).getOrDefault(identity(lastKey), List.of());
      page.set(page.size() - 1, new KeyRows(lastKey, whole));
    }
    return new Page(page, last);
  }

  /**
   * The rows of {@code keys} on {@code shard}, by {@linkplain #identity identity}; keys without
   * rows are absent. {@code IN} lists hold at most {@code batchSize} and {@link #MAX_IN_LIST}
   * keys.
   *
   * @throws IllegalStateException if the shard returned rows of which none is a key asked for:
   *     the key mapping does not round-trip (a {@code uuid} column read as {@code java.util.UUID}
   *     while the router's keys are strings), and taking "no rows" for an answer would delete
   */
  Map<Object, List<Object[]>> read(DataSource shard, Collection<Object> keys) throws SQLException {
    Map<Object, List<Object[]>> found = new LinkedHashMap<>();
    List<Object> all = List.copyOf(keys);
    int chunkSize = Math.min(batchSize, MAX_IN_LIST);
    try (Connection c = shard.getConnection()) {
      for (int from = 0; from < all.size(); from += chunkSize) {
        List<Object> chunk = all.subList(from, Math.min(all.size(), from + chunkSize));
        String sql = "SELECT " + selectList + " FROM " + table + " WHERE " + keyColumn + " IN ("
            + "?, ".repeat(chunk.size() - 1) + "?)";
        try (PreparedStatement s = c.prepareStatement(sql)) {
          for (int i = 0; i < chunk.size(); i++) {
            s.setObject(i + 1, chunk.get(i));
          }
          Set<Object> asked = new HashSet<>();
          chunk.forEach(key -> asked.add(identity(key)));
          List<KeyRows> groups = group(rows(s));
          boolean anyAsked = false;
          for (KeyRows group : groups) {
            Object id = identity(group.key());
            anyAsked |= asked.contains(id);
            found.put(id, group.rows());
          }
          if (!groups.isEmpty() && !anyAsked) {
            Object got = groups.get(0).key();
            throw new IllegalStateException("reading " + chunk.size() + " keys of " + table + "."
                + keyColumn + " returned rows of none of them: the column gives " + describe(got)
                + " for the key " + describe(chunk.get(0)) + "; keyFromColumn and keyToColumn must"
                + " map the column's values and the router's keys onto each other");
          }
        }
      }
    }
    return found;
  }

  /**
   * Makes the rows of each key on {@code shard} exactly {@code groups}' rows (none: the key is
   * deleted), all in one transaction, so a re-run is idempotent and a failure changes nothing.
   */
  void replace(DataSource shard, Collection<KeyRows> groups) throws SQLException {
    String delete = "DELETE FROM " + table + " WHERE " + keyColumn + " = ?";
    String insert = "INSERT INTO " + table + " (" + selectList + ")"
        + (overrideIdentity ? " OVERRIDING SYSTEM VALUE" : "") + " VALUES ("
        + "?, ".repeat(columns.size()) + "?)";
    try (Connection c = shard.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try (PreparedStatement d = c.prepareStatement(delete); PreparedStatement i = c.prepareStatement(insert)) {
        boolean anyRow = false;
        for (KeyRows group : groups) {
          d.setObject(1, group.key());
          d.addBatch();
          for (Object[] row : group.rows()) {
            for (int col = 0; col < row.length; col++) {
              if (row[col] instanceof RowChecksum.XmlText xml) {
                SQLXML value = c.createSQLXML();
                value.setString(xml.text());
                i.setSQLXML(col + 1, value);
              } else {
                i.setObject(col + 1, row[col]);
              }
            }
            i.addBatch();
            anyRow = true;
          }
        }
        d.executeBatch();
        if (anyRow) {
          i.executeBatch();
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        rollBack(c, autoCommit, e);
        throw e;
      }
      c.setAutoCommit(autoCommit);
    }
  }

  /** Rolls back after {@code cause}; a connection that died too adds its failure to the cause. */
  private static void rollBack(Connection c, boolean autoCommit, Exception cause) {
    try {
      c.rollback();
      c.setAutoCommit(autoCommit);
    } catch (SQLException alsoFailed) {
      cause.addSuppressed(alsoFailed);
    }
  }

  /** Deletes every row of {@code keys} on {@code shard}; returns the rows deleted. */
  long delete(DataSource shard, Collection<Object> keys) throws SQLException {
    String sql = "DELETE FROM " + table + " WHERE " + keyColumn + " = ?";
    List<Object> all = List.copyOf(keys);
    long deleted = 0;
    try (Connection c = shard.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
      for (int from = 0; from < all.size(); from += batchSize) {
        for (Object key : all.subList(from, Math.min(all.size(), from + batchSize))) {
          s.setObject(1, key);
          s.addBatch();
        }
        for (int n : s.executeBatch()) {
          deleted += Math.max(n, 0);
        }
      }
    }
    return deleted;
  }

  private static String describe(Object value) {
    return value == null ? "null" : value.getClass().getName() + " '" + value + "'";
  }

  private List<Object[]> rows(PreparedStatement s) throws SQLException {
    List<Object[]> rows = new ArrayList<>();
    try (ResultSet rs = s.executeQuery()) {
      int width = columns.size() + 1;
      while (rs.next()) {
        Object[] row = new Object[width];
        for (int i = 0; i < width; i++) {
          Object value = RowChecksum.detach(rs.getObject(i + 1));
          if (value != null && !RowChecksum.comparable(value)) {
            throw new IllegalArgumentException("column " + table + "." + rs.getMetaData().getColumnName(i + 1)
                + " of type " + rs.getMetaData().getColumnTypeName(i + 1) + " reads as "
                + value.getClass().getName() + ", which has no string form by content to copy and"
                + " checksum; exclude the column or convert it in a view");
          }
          row[i] = value;
        }
        if (paddedKey && row[0] instanceof String padded) {
          row[0] = padded.stripTrailing();
        }
        rows.add(row);
      }
    }
    return rows;
  }

  /** Consecutive rows of one key value become one group (rows arrive in key order or by key). */
  private List<KeyRows> group(List<Object[]> rows) {
    Map<Object, List<Object[]>> byKey = new LinkedHashMap<>();
    for (Object[] row : rows) {
      byKey.computeIfAbsent(identity(row[0]), k -> new ArrayList<>()).add(row);
    }
    List<KeyRows> groups = new ArrayList<>(byKey.size());
    byKey.forEach((key, keyRows) -> groups.add(new KeyRows(keyRows.get(0)[0], keyRows)));
    return groups;
  }
}
