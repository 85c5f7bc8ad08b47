package io.scaleblocks.replication;

import java.util.Objects;

/**
 * A point in the primary's write history that a read must see: the position of the write-ahead
 * log after a commit (PostgreSQL's LSN). A read given a token is served by a replica only once
 * that replica has replayed the log up to the token, else by the primary.
 *
 * <p>An immutable value with a stable string form, the one PostgreSQL prints for an LSN
 * ({@code "16/B374D848"}: the high and low 32 bits in hexadecimal), so that a service can hand
 * it to another in an HTTP header and the other can {@link #parse} it. Tokens are ordered by
 * position; {@link #max} combines two.
 *
 * @param position the log position, an unsigned 64-bit number
 */
public record CausalToken(long position) implements Comparable<CausalToken> {

  private static final java.util.regex.Pattern FORM =
      java.util.regex.Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");

  /**
   * The token of the form {@link #toString()} prints.
   *
   * @throws IllegalArgumentException if {@code text} is not two hexadecimal numbers of at most 8
   *     digits separated by {@code /}, naming the text
   */
  public static CausalToken parse(CharSequence text) {
    Objects.requireNonNull(text, "text");
    String value = text.toString().trim();
    int slash = value.indexOf('/');
    if (!FORM.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "causal token must look like 16/B374D848 but was '" + text + "'");
    }
    try {
      long high = Long.parseLong(value.substring(0, slash), 16);
      long low = Long.parseLong(value.substring(slash + 1), 16);
      return new CausalToken(high << 32 | low);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "causal token must look like 16/B374D848 but was '" + text + "'", e);
    }
  }

  /** The later of this token and {@code other}. */
  public CausalToken max(CausalToken other) {
    return compareTo(other) >= 0 ? this : other;
  }

  /** Whether a node that replayed up to {@code replayed} has seen this token's writes. */
  public boolean reachedBy(long replayed) {
    return Long.compareUnsigned(replayed, position) >= 0;
  }

  @Override
  public int compareTo(CausalToken other) {
    return Long.compareUnsigned(position, other.position);
  }

  /** The stable string form, {@code "16/B374D848"}; {@link #parse} reads it back. */
  @Override
  public String toString() {
    return Long.toHexString(position >>> 32).toUpperCase(java.util.Locale.ROOT) + "/"
        + Long.toHexString(position & 0xFFFF_FFFFL).toUpperCase(java.util.Locale.ROOT);
  }
}
