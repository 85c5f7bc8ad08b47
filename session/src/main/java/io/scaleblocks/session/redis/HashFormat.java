package io.scaleblocks.session.redis;

import io.scaleblocks.session.SessionStoreException;
import io.scaleblocks.session.internal.Delta;
import io.scaleblocks.session.internal.SessionRecord;
import io.scaleblocks.session.internal.SessionRecord.StoredAttribute;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The layout of a session hash: {@code _c} created, {@code _a} last access, {@code _r} renewed
 * (epoch ms), {@code _i} idle, {@code _x} absolute, {@code _n} renewal timeout (ms, 0 for none),
 * {@code _p} principal, {@code _s} write sequence; per attribute {@code a:<name>} its bytes and
 * {@code v:<name>} its version. A garbled version makes only that attribute unreadable.
 */
final class HashFormat {

  /** What {@link #version} answers for a field that is not a version. */
  private static final long GARBLED = Long.MIN_VALUE;

  private HashFormat() {}

  static SessionRecord parse(String id, List<?> fields, long now) {
    Map<String, byte[]> values = new HashMap<>();
    Map<String, Long> versions = new HashMap<>();
    long created = 0;
    long last = 0;
    long renewed = 0;
    long idle = 0;
    long absolute = 0;
    long renewal = 0;
    long seq = 0;
    String principal = null;
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      String field = text(fields.get(i));
      byte[] value = (byte[]) fields.get(i + 1);
      switch (field) {
        case "_c" -> created = number(id, field, value);
        case "_a" -> last = number(id, field, value);
        case "_r" -> renewed = number(id, field, value);
        case "_i" -> idle = number(id, field, value);
        case "_x" -> absolute = number(id, field, value);
        case "_n" -> renewal = number(id, field, value);
        case "_s" -> seq = number(id, field, value);
        case "_p" -> principal = new String(value, StandardCharsets.UTF_8);
        default -> {
          if (field.startsWith("a:")) {
            values.put(field.substring(2), value);
          } else if (field.startsWith("v:")) {
            versions.put(field.substring(2), version(value));
          }
        }
      }
    }
    Map<String, StoredAttribute> attributes = new HashMap<>();
    values.forEach((name, bytes) -> {
      long version = versions.getOrDefault(name, 0L);
      attributes.put(name, version == GARBLED ? StoredAttribute.unreadable() : new StoredAttribute(bytes, version));
    });
    return new SessionRecord(id, created, Math.max(last, now), renewed, idle, absolute, renewal, principal,
        Map.copyOf(attributes), seq);
  }

  /**
   * A {@code v:<name>} field as the scripts read it: a decimal integer of at most 18 characters,
   * else {@link #GARBLED}, which the attribute reads as {@link StoredAttribute#unreadable()} (a
   * codec failure naming session and attribute; a set or removal through the handle replaces it,
   * since {@code save.lua} reads the same field as version -1).
   */
  private static long version(byte[] value) {
    int n = value.length;
    boolean ok = n > 0 && n <= 18 && !(n == 1 && value[0] == '-');
    for (int i = 0; ok && i < n; i++) {
      ok = (value[i] >= '0' && value[i] <= '9') || (i == 0 && value[i] == '-');
    }
    return ok ? Long.parseLong(new String(value, StandardCharsets.US_ASCII)) : GARBLED;
  }

  private static long number(String id, String field, byte[] value) {
    try {
      return Long.parseLong(new String(value, StandardCharsets.US_ASCII));
    } catch (NumberFormatException e) {
      throw new SessionStoreException("session " + id.substring(0, Math.min(10, id.length()))
          + "…: field '" + field + "' of its Redis hash is not a number", e);
    }
  }

  /** The arguments of {@code save.lua} (see its header). */
  static List<byte[]> saveArguments(Delta delta) {
    List<byte[]> args = new ArrayList<>(11 + delta.changes().size() * 4);
    args.add(RedisSessionStore.bytes(delta.now()));
    SessionRecord r = delta.created();
    args.add(RedisSessionStore.bytes(r != null ? "n" : "u"));
    if (r != null) {
      for (long n : new long[] {r.createdAt(), r.lastAccessAt(), r.renewedAt(), r.idleMillis(), r.absoluteMillis(),
          r.renewalMillis()}) {
        args.add(RedisSessionStore.bytes(n));
      }
    } else {
      for (int i = 0; i < 6; i++) {
        args.add(RedisSessionStore.bytes("0"));
      }
    }
    args.add(RedisSessionStore.bytes(delta.principalChanged() ? "1" : "0"));
    args.add(RedisSessionStore.bytes(delta.principal() == null ? "" : delta.principal()));
    args.add(RedisSessionStore.bytes(delta.changes().size()));
    for (Delta.Change c : delta.changes()) {
      args.add(RedisSessionStore.bytes(c.name()));
      args.add(RedisSessionStore.bytes(c.expectedVersion()));
      args.add(RedisSessionStore.bytes(c.isRemoval() ? "d" : "s"));
      args.add(c.isRemoval() ? new byte[0] : c.value());
    }
    return args;
  }

  static String text(Object reply) {
    if (reply instanceof byte[] b) {
      return new String(b, StandardCharsets.UTF_8);
    }
    return String.valueOf(reply);
  }
}
