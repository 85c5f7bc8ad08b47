package io.scaleblocks.session.internal;

import io.scaleblocks.session.internal.SessionRecord.StoredAttribute;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * An immutable map of a session's attributes in two arrays: the names' hash codes, and the names
 * and values side by side. A session has a few attributes, so a lookup scans the hash codes (one
 * array, no name read unless the hash matches) where a {@code HashMap} reads its table and a node
 * per entry; a copy with a save's changes is the same two arrays, built in one pass. Iterates in
 * the order the names were first added. Thread-safe (immutable); the stored values are shared.
 */
public final class AttributeMap extends AbstractMap<String, StoredAttribute> {

  private static final AttributeMap EMPTY = new AttributeMap(new int[0], new Object[0]);

  private final int[] hashes;
  /** name 0, value 0, name 1, value 1, ... */
  private final Object[] entries;

  private AttributeMap(int[] hashes, Object[] entries) {
    this.hashes = hashes;
    this.entries = entries;
  }

  public static AttributeMap empty() {
    return EMPTY;
  }

  /** {@code map} itself when it is an {@code AttributeMap}, else a copy. */
  public static AttributeMap copyOf(Map<String, StoredAttribute> map) {
    if (map instanceof AttributeMap attributes) {
      return attributes;
    }
    int[] hashes = new int[map.size()];
    Object[] entries = new Object[2 * map.size()];
    int i = 0;
    for (Map.Entry<String, StoredAttribute> e : map.entrySet()) {
      hashes[i] = e.getKey().hashCode();
      entries[2 * i] = e.getKey();
      entries[2 * i + 1] = e.getValue();
      i++;
    }
    return i == 0 ? EMPTY : new AttributeMap(hashes, entries);
  }

  /** The map with {@code changes} applied, each set written at version {@code version}. */
  public static AttributeMap of(List<Delta.Change> changes, long version) {
    return EMPTY.with(changes, version);
  }

  /**
   * This map with {@code changes} applied: a set replaces or adds the attribute at version {@code
   * version}, a removal drops it. Later changes of the same name win.
   */
  public AttributeMap with(List<Delta.Change> changes, long version) {
    int size = hashes.length;
    int capacity = size;
    for (Delta.Change c : changes) {
      if (!c.isRemoval() && indexOf(hashes, entries, size, c.name(), c.name().hashCode()) < 0) {
        capacity++;  // an upper bound: a name set twice counts twice
      }
    }
    int[] nextHashes = new int[capacity];
    Object[] nextEntries = new Object[2 * capacity];
    System.arraycopy(hashes, 0, nextHashes, 0, size);
    System.arraycopy(entries, 0, nextEntries, 0, 2 * size);
    boolean removed = false;
    for (Delta.Change c : changes) {
      int hash = c.name().hashCode();
      int i = indexOf(nextHashes, nextEntries, size, c.name(), hash);
      if (c.isRemoval()) {
        if (i >= 0) {
          nextEntries[2 * i + 1] = null;  // compacted below
          removed = true;
        }
        continue;
      }
      StoredAttribute value = new StoredAttribute(c.value(), version);
      if (i < 0) {
        i = size++;
        nextHashes[i] = hash;
        nextEntries[2 * i] = c.name();
      }
      nextEntries[2 * i + 1] = value;
    }
    if (removed) {
      size = compact(nextHashes, nextEntries, size);
    }
    if (size == 0) {
      return EMPTY;
    }
    if (size < capacity) {
      nextHashes = java.util.Arrays.copyOf(nextHashes, size);
      nextEntries = java.util.Arrays.copyOf(nextEntries, 2 * size);
    }
    return new AttributeMap(nextHashes, nextEntries);
  }

  /** Drops the entries whose value is null, keeping the order of the rest; the new size. */
  private static int compact(int[] hashes, Object[] entries, int size) {
    int kept = 0;
    for (int i = 0; i < size; i++) {
      if (entries[2 * i + 1] != null) {
        hashes[kept] = hashes[i];
        entries[2 * kept] = entries[2 * i];
        entries[2 * kept + 1] = entries[2 * i + 1];
        kept++;
      }
    }
    return kept;
  }

  private static int indexOf(int[] hashes, Object[] entries, int size, String name, int hash) {
    for (int i = 0; i < size; i++) {
      if (hashes[i] == hash) {
        Object candidate = entries[2 * i];
        if (candidate == name || name.equals(candidate)) {
          return i;
        }
      }
    }
    return -1;
  }

  @Override
  public StoredAttribute get(Object name) {
    if (!(name instanceof String s)) {
      return null;
    }
    int i = indexOf(hashes, entries, hashes.length, s, s.hashCode());
    return i < 0 ? null : (StoredAttribute) entries[2 * i + 1];
  }

  @Override
  public boolean containsKey(Object name) {
    return get(name) != null;
  }

  @Override
  public int size() {
    return hashes.length;
  }

  @Override
  public void forEach(BiConsumer<? super String, ? super StoredAttribute> action) {
    for (int i = 0; i < hashes.length; i++) {
      action.accept((String) entries[2 * i], (StoredAttribute) entries[2 * i + 1]);
    }
  }

  @Override
  public Set<Map.Entry<String, StoredAttribute>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Map.Entry<String, StoredAttribute>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < hashes.length;
          }

          @Override
          public Map.Entry<String, StoredAttribute> next() {
            if (next >= hashes.length) {
              throw new NoSuchElementException();
            }
            int i = next++;
            return new SimpleImmutableEntry<>((String) entries[2 * i], (StoredAttribute) entries[2 * i + 1]);
          }
        };
      }

      @Override
      public int size() {
        return hashes.length;
      }
    };
  }
}
