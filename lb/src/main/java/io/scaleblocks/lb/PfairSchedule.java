package io.scaleblocks.lb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The period of a smooth weighted round robin, computed once per snapshot so that a pick is one
 * array read.
 *
 * <p>Algorithm: proportionate-fair (Pfair) scheduling, Baruah, Cohen, Plaxton and Varvel,
 * "Proportionate progress: a notion of fairness in resource allocation", Algorithmica 15 (1996).
 * With reduced weights {@code w_i} summing to {@code W}, the {@code k}-th pick of endpoint
 * {@code i} (from 0) is released at slot {@code floor(k W / w_i)} and due before slot
 * {@code ceil((k + 1) W / w_i)}; each slot goes to the released pick with the earliest deadline
 * (ties to the lower index). Earliest-deadline-first is optimal on one resource, so every pick
 * meets its window, which is exactly the statement that after every prefix of {@code t} slots
 * each endpoint's count differs from its ideal share {@code t w_i / W} by less than 1. nginx's
 * smooth weighted round robin (the "current weight" rule) interleaves as well on small weights
 * but its lag exceeds 1 on some weight sets (for example {10, 1, 3, 1, 32, 32, 3}), and it costs
 * O(N) per pick; this schedule costs O(P log D) to build (D distinct weights), O(P) ints to hold,
 * and O(1) to read, where P = W / gcd(weights).
 */
final class PfairSchedule {

  /**
   * Longest schedule held (16 MiB of ints). Weight sets whose reduced total exceeds it are scaled
   * down proportionally, the only case where weights are not honoured exactly.
   */
  static final int MAX_LENGTH = 1 << 22;

  private PfairSchedule() {}

  /**
   * The schedule for {@code weights}, or {@code null} when every weight is equal (the schedule
   * is then the identity, and round robin needs no array).
   */
  static int[] build(int[] weights) {
    int n = weights.length;
    long[] reduced = reduce(weights);
    long total = 0;
    for (long w : reduced) {
      total += w;
    }
    if (total == n) {
      return null;
    }
    if (total > MAX_LENGTH) {
      reduced = scaleDown(reduced, total);
      total = Arrays.stream(reduced).sum();
    }
    int length = (int) total;
    int[] schedule = new int[length];
    // Endpoints of equal weight have identical windows and, with ties going to the lower index,
    // take each subtask in index order: schedule weight classes, not endpoints, so a slot costs
    // O(log D) for D distinct weights instead of O(log N).
    Map<Long, List<Integer>> byWeight = new HashMap<>();
    for (int i = 0; i < n; i++) {
      byWeight.computeIfAbsent(reduced[i], w -> new ArrayList<>()).add(i);
    }
    int classes = byWeight.size();
    long[] weight = new long[classes];
    int[][] members = new int[classes][];
    int c = 0;
    for (Map.Entry<Long, List<Integer>> entry : byWeight.entrySet()) {
      weight[c] = entry.getKey();
      members[c] = entry.getValue().stream().mapToInt(Integer::intValue).toArray();
      c++;
    }
    long[] subtask = new long[classes];
    int[] member = new int[classes];
    long[] deadline = new long[classes];
    long[] release = new long[classes];
    long[] nextIndex = new long[classes];
    IndexHeap waiting = new IndexHeap(classes, release, nextIndex);
    IndexHeap ready = new IndexHeap(classes, deadline, nextIndex);
    for (int g = 0; g < classes; g++) {
      deadline[g] = ceilDiv(total, weight[g]);
      nextIndex[g] = members[g][0];
      ready.add(g);
    }
    for (int slot = 0; slot < length; slot++) {
      while (!waiting.isEmpty() && release[waiting.peek()] <= slot) {
        ready.add(waiting.poll());
      }
      int g = ready.poll();
      schedule[slot] = members[g][member[g]];
      if (++member[g] < members[g].length) {
        nextIndex[g] = members[g][member[g]];
        ready.add(g);
        continue;
      }
      member[g] = 0;
      nextIndex[g] = members[g][0];
      long k = ++subtask[g];
      if (k < weight[g]) {
        release[g] = k * total / weight[g];
        deadline[g] = ceilDiv((k + 1) * total, weight[g]);
        if (release[g] <= slot + 1) {
          ready.add(g);
        } else {
          waiting.add(g);
        }
      }
    }
    return schedule;
  }

  static long[] reduce(int[] weights) {
    long gcd = 0;
    for (int w : weights) {
      gcd = gcd(gcd, w);
    }
    long[] reduced = new long[weights.length];
    for (int i = 0; i < weights.length; i++) {
      reduced[i] = weights[i] / gcd;
    }
    return reduced;
  }

  private static long[] scaleDown(long[] weights, long total) {
    long[] scaled = new long[weights.length];
    double factor = (double) (MAX_LENGTH - weights.length) / total;
    for (int i = 0; i < weights.length; i++) {
      scaled[i] = Math.max(1, (long) (weights[i] * factor));
    }
    return scaled;
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  private static long ceilDiv(long x, long y) {
    return -Math.floorDiv(-x, y);
  }

  /** A binary min-heap of ids ordered by (key, tie); no boxing. */
  private static final class IndexHeap {
    private final int[] heap;
    private final long[] key;
    private final long[] tie;
    private int size;

    IndexHeap(int capacity, long[] key, long[] tie) {
      this.heap = new int[capacity];
      this.key = key;
      this.tie = tie;
    }

    void add(int index) {
      int at = size++;
      heap[at] = index;
      while (at > 0) {
        int parent = (at - 1) >>> 1;
        if (!less(heap[at], heap[parent])) {
          break;
        }
        swap(at, parent);
        at = parent;
      }
    }

    boolean isEmpty() {
      return size == 0;
    }

    int peek() {
      return heap[0];
    }

    int poll() {
      int top = heap[0];
      heap[0] = heap[--size];
      int at = 0;
      while (true) {
        int left = 2 * at + 1;
        if (left >= size) {
          break;
        }
        int child = left + 1 < size && less(heap[left + 1], heap[left]) ? left + 1 : left;
        if (!less(heap[child], heap[at])) {
          break;
        }
        swap(at, child);
        at = child;
      }
      return top;
    }

    private boolean less(int a, int b) {
      return key[a] < key[b] || (key[a] == key[b] && tie[a] < tie[b]);
    }

    private void swap(int a, int b) {
      int t = heap[a];
      heap[a] = heap[b];
      heap[b] = t;
    }
  }
}
