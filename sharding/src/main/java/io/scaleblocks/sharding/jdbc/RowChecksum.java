package io.scaleblocks.sharding.jdbc;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.scaleblocks.sharding.HashFunction;
import io.scaleblocks.sharding.Hashing;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.SQLException;
import java.sql.SQLXML;
import java.util.List;

/**
 * The checksum a migration compares between a key's rows and their copies: murmur3 over a
 * canonical encoding of every value, by type, and for a key the sum of its rows' hashes plus their
 * count, so the order in which a shard returns a key's rows does not matter (a multiset hash).
 *
 * <p>Values are encoded by content: a {@code byte[]} (BYTEA, VARBINARY) by its bytes, a
 * {@link BigDecimal} without trailing zeros ({@code 1.50} and {@code 1.5} are one value), text as
 * UTF-8, other values by their string form with their class name. {@link #detach} first reads
 * driver objects that are only valid while their connection is open ({@link Blob}, {@link Clob},
 * {@link Array}, {@link SQLXML} as its text) into plain values. A value whose only string form is
 * {@link Object#toString}'s identity cannot be compared ({@link #comparable}): the migrator
 * refuses it, naming the column. Stateless and thread-safe.
 */
final class RowChecksum {

  private static final HashFunction MURMUR3 = Hashing.murmur3(0x6d6967L);

  private RowChecksum() {}

  /** {@code value}, with connection-bound driver objects read into bytes, text or arrays. */
  static Object detach(Object value) throws SQLException {
    if (value instanceof Blob blob) {
      try {
        return blob.getBytes(1, (int) blob.length());
      } finally {
        blob.free();
      }
    }
    if (value instanceof Clob clob) {
      try {
        return clob.getSubString(1, (int) clob.length());
      } finally {
        clob.free();
      }
    }
    if (value instanceof SQLXML xml) {
      try {
        return new XmlText(xml.getString());
      } finally {
        xml.free();
      }
    }
    if (value instanceof Array array) {
      try {
        return array.getArray();
      } finally {
        array.free();
      }
    }
    return value;
  }

  /** An {@code xml} value read as its text; written back as {@link SQLXML}. */
  record XmlText(String text) {}

  private static final ClassValue<Boolean> HAS_CONTENT_STRING = new ClassValue<>() {
    @Override
    protected Boolean computeValue(Class<?> type) {
      try {
        return type.getMethod("toString").getDeclaringClass() != Object.class;
      } catch (NoSuchMethodException e) {
        return false;
      }
    }
  };

  /**
   * Whether {@code value} (detached) can be encoded by content: not a driver object whose only
   * string form is {@link Object#toString}'s identity, which would never match its copy.
   */
  static boolean comparable(Object value) {
    if (value instanceof Object[] array) {
      for (Object element : array) {
        if (element != null && !comparable(element)) {
          return false;
        }
      }
      return true;
    }
    return value instanceof byte[] || HAS_CONTENT_STRING.get(value.getClass());
  }

  /** The order-independent checksum of a key's rows; 0 rows give 0. */
  static long ofKey(List<Object[]> rows) {
    long sum = rows.size();
    for (Object[] row : rows) {
      sum += fmix64(ofRow(row));
    }
    return sum;
  }

  /** MurmurHash3's finaliser: a row hash's bits spread before they are summed. */
  private static long fmix64(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  static long ofRow(Object[] row) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    for (Object value : row) {
      encode(value, out);
    }
    return MURMUR3.hash(out.toByteArray());
  }

  private static void encode(Object value, ByteArrayOutputStream out) {
    if (value == null) {
      out.write(0);
      return;
    }
    byte[] bytes;
    int tag;
    if (value instanceof byte[] raw) {
      tag = 1;
      bytes = raw;
    } else if (value instanceof BigDecimal decimal) {
      tag = 2;
      bytes = decimal.stripTrailingZeros().toPlainString().getBytes(UTF_8);
    } else if (value instanceof Number || value instanceof Boolean) {
      tag = 3;
      bytes = value.toString().getBytes(UTF_8);
    } else if (value instanceof XmlText xml) {
      tag = 7;
      bytes = xml.text().getBytes(UTF_8);
    } else if (value instanceof CharSequence text) {
      tag = 4;
      bytes = text.toString().getBytes(UTF_8);
    } else if (value instanceof Object[] array) {
      out.write(5);
      writeLength(array.length, out);
      for (Object element : array) {
        encode(element, out);
      }
      return;
    } else {
      tag = 6;
      bytes = (value.getClass().getName() + ':' + value).getBytes(UTF_8);
    }
    out.write(tag);
    writeLength(bytes.length, out);
    out.writeBytes(bytes);
  }

  private static void writeLength(int length, ByteArrayOutputStream out) {
    out.write(length >>> 24);
    out.write(length >>> 16);
    out.write(length >>> 8);
    out.write(length);
  }
}
