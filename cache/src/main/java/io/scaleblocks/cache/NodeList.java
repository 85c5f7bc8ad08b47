package io.scaleblocks.cache;

/**
 * A doubly linked list threaded through its elements' own links, eldest first: append and
 * remove are O(1) and allocate nothing. The recency, frequency and ghost lists of
 * {@link LruOrder}, {@link LfuOrder} and {@link ArcOrder} are built on it. Not thread-safe; an
 * element is in at most one list at a time.
 */
class NodeList<N extends NodeList.Linked<N>> {

  /** An element; its links belong to the list that holds it. */
  static class Linked<N extends Linked<N>> {
    N prev;
    N next;
  }

  /** An element that stands for a cache key of some weight: what every policy's lists hold. */
  static class Keyed<K, N extends Keyed<K, N>> extends Linked<N> {
    final K key;
    long weight;

    Keyed(K key, long weight) {
      this.key = key;
      this.weight = weight;
    }
  }

  N head;
  N tail;

  final boolean isEmpty() {
    return head == null;
  }

  void append(N node) {
    node.prev = tail;
    node.next = null;
    if (tail != null) {
      tail.next = node;
    } else {
      head = node;
    }
    tail = node;
  }

  void remove(N node) {
    if (node.prev != null) {
      node.prev.next = node.next;
    } else {
      head = node.next;
    }
    if (node.next != null) {
      node.next.prev = node.prev;
    } else {
      tail = node.prev;
    }
    node.prev = node.next = null;
  }

  /** Empties the list, unlinking every element. */
  void clear() {
    for (N node = head; node != null; ) {
      N next = node.next;
      node.prev = node.next = null;
      node = next;
    }
    head = tail = null;
  }
}
