package io.scaleblocks.sharding;

import java.util.Arrays;
import java.util.List;

/**
 * The default placement: MementoHash over JumpBackHash (jump consistent hash's distribution in
 * expected constant time).
 *
 * <p>Thread-safe and immutable; {@link #nodeFor} is allocation-free and runs JumpBackHash
 * (expected {@code O(1)}, no division) plus, only for keys of removed buckets, a walk of the
 * replacement table. That walk grows with {@code n / w} for {@code w} working of {@code n}
 * buckets, roughly linearly when many buckets were removed in no particular order (measured:
 * about 30 us a lookup at n = 10,000 and w = 1, against 0.1 us with nothing removed; see the
 * open issue 4 of the authors' reference implementation), not as {@code O(ln(n / w))}. With
 * {@code minWorkingShare} above 0 a removal that leaves fewer than that share of the buckets
 * working rebuilds the placement over the working nodes, which bounds the walk by about
 * {@code 1 / minWorkingShare} steps and moves the survivors' keys once (opt-in: it breaks the
 * "no key moves between survivors" guarantee at that removal). Routing state is three arrays of
 * {@code n} entries.
 */
/*
 * MementoHash: M. Coluzzi, A. Brocco, P. Antonucci, T. Leidi, "MementoHash: A Stateful, Minimal
 * Memory, Best Performing Consistent Hash Algorithm", IEEE/ACM Transactions on Networking, 2024,
 * arXiv:2306.09783. Jump hash (Lamping & Veach, arXiv:1406.2294; computed here as JumpBackHash,
 * Ertl, arXiv:2403.18682, which gives the same distribution) spreads keys over the b-array of n
 * buckets with perfect balance and moves only K/(n+1) keys when the array grows by one, but it
 * can only remove the last bucket. Memento remembers every other removal: a removed bucket b gets
 * a replacer r (the working count after the removal) and the previously removed bucket, so a key
 * that jump hash sends to b is rehashed into [0, r) and follows replacers of buckets removed
 * before b until it reaches a bucket that was working when b was removed. Keys of working buckets
 * never move; adding a node restores the most recently removed bucket, which undoes exactly that
 * removal. A node of weight w owns w buckets.
 */
final class MementoPlacement<N> implements Placement<N> {

  private static final int WORKING = -1;

  private final NodeSet<N> nodes;
  private final int arraySize;
  private final int[] replacer;
  private final int[] previouslyRemoved;
  private final int lastRemoved;
  private final int removedCount;
  private final Object[] nodeOfBucket;
  private final double minWorkingShare;

  private MementoPlacement(NodeSet<N> nodes, int arraySize, int[] replacer,
      int[] previouslyRemoved, int lastRemoved, int removedCount, Object[] nodeOfBucket,
      double minWorkingShare) {
    this.nodes = nodes;
    this.arraySize = arraySize;
    this.replacer = replacer;
    this.previouslyRemoved = previouslyRemoved;
    this.lastRemoved = lastRemoved;
    this.removedCount = removedCount;
    this.nodeOfBucket = nodeOfBucket;
    this.minWorkingShare = minWorkingShare;
  }

  static <N> MementoPlacement<N> of(NodeSet<N> nodes) {
    return of(nodes, 0);
  }

  /** A fresh placement that rebuilds itself when fewer than {@code minWorkingShare} buckets work. */
  static <N> MementoPlacement<N> of(NodeSet<N> nodes, double minWorkingShare) {
    Object[] owner = Buckets.expand(nodes);
    int n = owner.length;
    int[] replacer = new int[n];
    Arrays.fill(replacer, WORKING);
    return new MementoPlacement<>(nodes, n, replacer, new int[n], n, 0, owner, minWorkingShare);
  }

  @Override
  @SuppressWarnings("unchecked")
  public N nodeFor(long keyHash) {
    int b = JumpBackHash.bucket(keyHash, arraySize);
    int r = replacer[b];
    while (r >= 0) {
      b = reduce(Hashing.mix(keyHash + (b + 1) * 0x9E3779B97F4A7C15L), r);
      int u = replacer[b];
      while (u >= r) {
        b = u;
        u = replacer[b];
      }
      r = u;
    }
    return (N) nodeOfBucket[b];
  }

  /** Maps a 64-bit hash uniformly onto {@code [0, bound)} without a division (Lemire). */
  static int reduce(long hash, int bound) {
    return (int) (((hash >>> 32) * bound) >>> 32);
  }

  @Override
  public List<N> nodes() {
    return nodes.nodes();
  }

  @Override
  public Placement<N> withNode(N node, int weight) {
    NodeSet<N> next = nodes.with(node, weight);
    // The same limit as building the placement, before a bucket is added.
    Buckets.checkTotalWeight(next);
    Builder b = new Builder();
    for (int i = 0; i < weight; i++) {
      b.add(node);
    }
    return b.build(next);
  }

  @Override
  public Placement<N> withoutNode(N node) {
    NodeSet<N> next = nodes.without(node);
    Builder b = new Builder();
    int[] owned = bucketsOf(node);
    for (int i = owned.length - 1; i >= 0; i--) {
      b.remove(owned[i]);
    }
    MementoPlacement<N> shrunk = b.build(next);
    if (shrunk.arraySize > 0 && shrunk.workingBuckets() < minWorkingShare * shrunk.arraySize) {
      return of(next, minWorkingShare);
    }
    return shrunk;
  }

  /** Buckets that still belong to a node. */
  int workingBuckets() {
    return arraySize - removedCount;
  }

  private int[] bucketsOf(N node) {
    int[] owned = new int[8];
    int count = 0;
    for (int b = 0; b < arraySize; b++) {
      if (replacer[b] == WORKING && node.equals(nodeOfBucket[b])) {
        if (count == owned.length) {
          owned = Arrays.copyOf(owned, count * 2);
        }
        owned[count++] = b;
      }
    }
    return Arrays.copyOf(owned, count);
  }

  /** Bytes of routing state: the three bucket arrays (nodes themselves are the caller's). */
  long routingStateBytes() {
    return 3L * (16 + 4L * arraySize);
  }

  int arraySize() {
    return arraySize;
  }

  /** The mutable working copy that one membership change edits before it is frozen. */
  private final class Builder {
    int n = arraySize;
    int[] rep = Arrays.copyOf(replacer, Math.max(arraySize, 1));
    int[] prev = Arrays.copyOf(previouslyRemoved, Math.max(arraySize, 1));
    Object[] owner = Arrays.copyOf(nodeOfBucket, Math.max(arraySize, 1));
    int last = lastRemoved;
    int removed = removedCount;

    void add(N node) {
      int b;
      if (removed == 0) {
        b = n++;
        if (n > rep.length) {
          int capacity = Math.max(n, rep.length * 2);
          rep = Arrays.copyOf(rep, capacity);
          prev = Arrays.copyOf(prev, capacity);
          owner = Arrays.copyOf(owner, capacity);
        }
        last = n;
      } else {
        b = last;
        last = prev[b];
        removed--;
      }
      rep[b] = WORKING;
      owner[b] = node;
    }

    void remove(int b) {
      if (removed == 0 && b == n - 1) {
        n--;
        last = n;
      } else {
        rep[b] = n - removed - 1;
        prev[b] = last;
        last = b;
        removed++;
      }
      owner[b] = null;
    }

    /** Freezes the working copy, handing over arrays that already have the right length. */
    MementoPlacement<N> build(NodeSet<N> next) {
      return new MementoPlacement<>(next, n, fit(rep), fit(prev), last, removed, fit(owner), minWorkingShare);
    }

    private int[] fit(int[] array) {
      return array.length == n ? array : Arrays.copyOf(array, n);
    }

    private Object[] fit(Object[] array) {
      return array.length == n ? array : Arrays.copyOf(array, n);
    }
  }

  @Override
  public String toString() {
    return "MementoHash" + nodes.nodes();
  }
}
