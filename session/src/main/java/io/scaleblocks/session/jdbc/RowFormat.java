package io.scaleblocks.session.jdbc;

import io.scaleblocks.session.internal.SessionRecord;
import io.scaleblocks.session.internal.SessionRecord.StoredAttribute;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/** Reads a session and its attributes from the rows of {@link SessionSql#COLUMNS} plus name, value, version. */
final class RowFormat {

  private RowFormat() {}

  /** The session of the query's rows, or null when there are none. */
  static SessionRecord read(PreparedStatement st, long now) throws SQLException {
    Map<String, StoredAttribute> attributes = new HashMap<>();
    SessionRecord first = null;
    try (ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        if (first == null) {
          first = new SessionRecord(rs.getString(2), rs.getLong(3), Math.max(rs.getLong(4), now), rs.getLong(5),
              rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getString(9), Map.of(), rs.getLong(10));
        }
        String name = rs.getString(11);
        if (name != null) {
          attributes.put(name, new StoredAttribute(rs.getBytes(12), rs.getLong(13)));
        }
      }
    }
    if (first == null) {
      return null;
    }
    return new SessionRecord(first.id(), first.createdAt(), first.lastAccessAt(), first.renewedAt(),
        first.idleMillis(), first.absoluteMillis(), first.renewalMillis(), first.principal(),
        Map.copyOf(attributes), first.seq());
  }
}
