package io.scaleblocks.sharding;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An immutable open-addressing map from a routing hash to a shard id, so a router checks pins
 * without boxing the hash. Empty tables cost one length check.
 */
final class PinTable {

  static final PinTable EMPTY = new PinTable(new LinkedHashMap<>());

  private final Map<Long, String> pins;
  private final long[] hashes;
  private final String[] shards;
  private final int mask;

  private PinTable(Map<Long, String> pins) {
    this.pins = Collections.unmodifiableMap(pins);
    int capacity = Integer.highestOneBit(Math.max(4, pins.size() * 2 - 1)) << 1;
    this.hashes = new long[pins.isEmpty() ? 0 : capacity];
    this.shards = new String[hashes.length];
    this.mask = hashes.length - 1;
    for (Map.Entry<Long, String> pin : pins.entrySet()) {
      int slot = slot(pin.getKey());
      while (shards[slot] != null) {
        slot = (slot + 1) & mask;
      }
      hashes[slot] = pin.getKey();
      shards[slot] = pin.getValue();
    }
  }

  private int slot(long hash) {
    return (int) Hashing.mix(hash) & mask;
  }

  /** The shard pinned for {@code hash}, or null. */
  String get(long hash) {
    if (hashes.length == 0) {
      return null;
    }
    for (int slot = slot(hash); shards[slot] != null; slot = (slot + 1) & mask) {
      if (hashes[slot] == hash) {
        return shards[slot];
      }
    }
    return null;
  }

  PinTable with(long hash, String shard) {
    Map<Long, String> next = new LinkedHashMap<>(pins);
    next.put(hash, shard);
    return new PinTable(next);
  }

  PinTable without(long hash) {
    if (!pins.containsKey(hash)) {
      return this;
    }
    Map<Long, String> next = new LinkedHashMap<>(pins);
    next.remove(hash);
    return next.isEmpty() ? EMPTY : new PinTable(next);
  }

  PinTable withoutShard(String shard) {
    Map<Long, String> next = new LinkedHashMap<>(pins);
    next.values().removeIf(shard::equals);
    return next.size() == pins.size() ? this : new PinTable(next);
  }

  Map<Long, String> asMap() {
    return pins;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PinTable other && other.pins.equals(pins);
  }

  @Override
  public int hashCode() {
    return pins.hashCode() ^ Arrays.hashCode(hashes);
  }
}
