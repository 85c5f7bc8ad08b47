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
