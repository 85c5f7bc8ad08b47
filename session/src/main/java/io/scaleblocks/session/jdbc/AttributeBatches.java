package io.scaleblocks.session.jdbc;

import io.scaleblocks.session.internal.Delta;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Writes a save's attribute changes: one batch of inserts (attributes that were absent), one of
 * updates, one of deletes, each a single round trip, all in the caller's transaction and after
 * the caller locked the session row.
 */
final class AttributeBatches {

  private AttributeBatches() {}

  static void write(Connection c, SessionSql sql, String key, List<Delta.Change> inserts, List<Delta.Change> updates,
      List<Delta.Change> removals, long version) throws SQLException {
    if (!inserts.isEmpty()) {
      try (PreparedStatement st = c.prepareStatement(sql.insertAttribute)) {
        for (Delta.Change ch : inserts) {
          st.setString(1, key);
          st.setString(2, ch.name());
          st.setBytes(3, ch.value());
          st.setLong(4, version);
          st.addBatch();
        }
        st.executeBatch();
      }
    }
    if (!updates.isEmpty()) {
      try (PreparedStatement st = c.prepareStatement(sql.updateAttribute)) {
        for (Delta.Change ch : updates) {
          st.setBytes(1, ch.value());
          st.setLong(2, version);
          st.setString(3, key);
          st.setString(4, ch.name());
          st.addBatch();
        }
        st.executeBatch();
      }
    }
    if (!removals.isEmpty()) {
      try (PreparedStatement st = c.prepareStatement(sql.deleteAttribute)) {
        for (Delta.Change ch : removals) {
          st.setString(1, key);
          st.setString(2, ch.name());
          st.addBatch();
        }
        st.executeBatch();
      }
    }
  }
}
