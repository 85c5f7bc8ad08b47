package io.scaleblocks.session.internal;

import java.util.Map;

/**
 * One session as a store keeps it: times in epoch milliseconds of the store's clock, timeouts in
 * milliseconds ({@code renewalMillis} 0 for none), every attribute's bytes and version, and the
 * session's write sequence ({@code seq}), from which attribute versions are drawn. {@code
 * attributes} is immutable: handles share it with the store that made the record.
 */
public record SessionRecord(String id, long createdAt, long lastAccessAt, long renewedAt,
    long idleMillis, long absoluteMillis, long renewalMillis, String principal,
    Map<String, StoredAttribute> attributes, long seq) {

  /** The attribute bytes of a store and the sequence number of the save that wrote them. */
  public record StoredAttribute(byte[] value, long version) {

    private static final byte[] UNREADABLE_VALUE = new byte[0];
    private static final StoredAttribute UNREADABLE = new StoredAttribute(UNREADABLE_VALUE, -1);

    /**
     * An attribute whose stored version is garbled: reading it fails with a codec exception; the
     * stores take version -1 for it, so a set or removal replaces it.
     */
    public static StoredAttribute unreadable() {
      return UNREADABLE;
    }

    /** Whether {@code value} is the bytes of {@link #unreadable()} (by identity). */
    public static boolean isUnreadable(byte[] value) {
      return value == UNREADABLE_VALUE;
    }
  }

  public long expiresAt() {
    return expiresAt(createdAt, lastAccessAt, renewedAt, idleMillis, absoluteMillis, renewalMillis);
  }

  /** The deadline that comes first: idle (from last access), absolute (from creation), renewal. */
  public static long expiresAt(long createdAt, long lastAccessAt, long renewedAt,
      long idleMillis, long absoluteMillis, long renewalMillis) {
    long hard = hardDeadline(createdAt, renewedAt, absoluteMillis, renewalMillis);
    return Math.min(lastAccessAt + idleMillis, hard);
  }

  /** The deadline no touch can move: absolute, or renewal when that comes first. */
  public static long hardDeadline(long createdAt, long renewedAt, long absoluteMillis, long renewalMillis) {
    long absolute = createdAt + absoluteMillis;
    return renewalMillis > 0 ? Math.min(absolute, renewedAt + renewalMillis) : absolute;
  }

  public boolean isExpired(long now) {
    return now >= expiresAt();
  }
}
