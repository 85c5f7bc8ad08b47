package io.scaleblocks.sharding.jdbc;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One identity for a key column value however it arrives: a driver reads an {@code INTEGER} as an
 * {@link Integer} while the router's keys may be {@link Long}s, and {@code 5} must be one key.
 */
final class KeyValues {

  private KeyValues() {}

  /**
   * Whole numbers as {@link Long} (when they fit), text as {@link String}, byte arrays by content;
   * anything else as it is.
   */
  static Object canonical(Object value) {
    if (value instanceof Long || value instanceof String) {
      return value;
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof BigInteger big && big.bitLength() < 64) {
      return big.longValue();
    }
    if (value instanceof BigDecimal decimal) {
      try {
        return decimal.longValueExact();
      } catch (ArithmeticException notWhole) {
        return decimal.stripTrailingZeros();
      }
    }
    if (value instanceof CharSequence text) {
      return text.toString();
    }
    if (value instanceof byte[] bytes) {
      return new Bytes(bytes);
    }
    return value;
  }

  /** A byte array compared by content. */
  record Bytes(byte[] value) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Bytes b && Arrays.equals(value, b.value);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return HexFormat.of().formatHex(value);
    }
  }
}
