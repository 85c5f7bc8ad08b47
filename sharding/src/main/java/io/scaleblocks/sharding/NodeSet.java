package io.scaleblocks.sharding;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The validated, immutable nodes of a placement with their weights, in insertion order.
 *
 * <p>Every placement builds on one, so every placement rejects bad input the same way: an empty
 * set, a null node, a node twice (or two nodes with one string form, which would hash alike), a
 * weight that is not positive.
 */
final class NodeSet<N> {

  private final List<N> nodes;
  private final int[] weights;
  /** Node to position, built on first use: a membership change checks by a scan instead. */
  private volatile Map<N, Integer> indexOf;
  /** Whether a lookup has scanned already; racy on purpose, it only decides when to index. */
  private boolean lookedUp;

  private NodeSet(List<N> nodes, int[] weights, Map<N, Integer> indexOf) {
    this.nodes = Collections.unmodifiableList(nodes);
    this.weights = weights;
    this.indexOf = indexOf;
  }

  /** A set built from caller input: every node checked against every other. */
  private static <N> NodeSet<N> validated(List<N> nodes, int[] weights) {
    Map<N, Integer> index = new HashMap<>(nodes.size() * 2);
    Set<String> names = new HashSet<>(nodes.size() * 2);
    for (int i = 0; i < nodes.size(); i++) {
      N node = nodes.get(i);
      if (index.put(node, i) != null) {
        throw new IllegalArgumentException("duplicate node '" + node + "'");
      }
      if (!names.add(node.toString())) {
        throw sameStringForm(node);
      }
    }
    return new NodeSet<>(nodes, weights, index);
  }

  private static IllegalArgumentException sameStringForm(Object node) {
    return new IllegalArgumentException(
        "two nodes have the string form '" + node + "'; placements hash it, so it must be unique");
  }

  static <N> NodeSet<N> of(Collection<N> nodes) {
    Objects.requireNonNull(nodes, "nodes must not be null");
    int[] weights = new int[nodes.size()];
    Arrays.fill(weights, 1);
    return validated(checked(new ArrayList<>(nodes)), weights);
  }

  static <N> NodeSet<N> of(Map<N, Integer> weighted) {
    Objects.requireNonNull(weighted, "nodes must not be null");
    List<N> nodes = new ArrayList<>(weighted.size());
    int[] weights = new int[weighted.size()];
    int i = 0;
    for (Map.Entry<N, Integer> entry : weighted.entrySet()) {
      nodes.add(entry.getKey());
      Integer weight = entry.getValue();
      if (weight == null) {
        throw new NullPointerException("weight of node '" + entry.getKey() + "' must not be null");
      }
      weights[i++] = checkWeight(entry.getKey(), weight);
    }
    return validated(checked(nodes), weights);
  }

  private static <N> List<N> checked(List<N> nodes) {
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("a placement needs at least one node but was given none");
    }
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i) == null) {
        throw new NullPointerException("node at position " + i + " must not be null");
      }
    }
    return nodes;
  }

  static int checkWeight(Object node, int weight) {
    if (weight <= 0) {
      throw new IllegalArgumentException(
          "weight of node '" + node + "' must be > 0 but was " + weight);
    }
    return weight;
  }

  NodeSet<N> with(N node, int weight) {
    Objects.requireNonNull(node, "node must not be null");
    checkWeight(node, weight);
    if (contains(node)) {
      throw new IllegalArgumentException("duplicate node '" + node + "': it is already placed");
    }
    checkStringFormFree(node);
    List<N> next = new ArrayList<>(nodes.size() + 1);
    next.addAll(nodes);
    next.add(node);
    int[] nextWeights = Arrays.copyOf(weights, weights.length + 1);
    nextWeights[weights.length] = weight;
    return new NodeSet<>(next, nextWeights, null);
  }

  NodeSet<N> without(N node) {
    int i = indexOf(node);
    if (nodes.size() == 1) {
      throw new IllegalArgumentException("cannot remove '" + node + "', the last node");
    }
    List<N> next = new ArrayList<>(nodes);
    next.remove(i);
    int[] nextWeights = new int[weights.length - 1];
    System.arraycopy(weights, 0, nextWeights, 0, i);
    System.arraycopy(weights, i + 1, nextWeights, i, weights.length - i - 1);
    return new NodeSet<>(next, nextWeights, null);
  }

  /**
   * Rejects a node (not yet in the set) whose string form an existing node has. Strings and boxed
   * integers of one class have one string form exactly when they are equal, so they skip the
   * comparison.
   */
  private void checkStringFormFree(N node) {
    Class<?> type = node.getClass();
    boolean formIsValue = type == String.class || type == Integer.class || type == Long.class;
    String name = null;
    for (N existing : nodes) {
      if (formIsValue && existing.getClass() == type) {
        continue;
      }
      if (name == null) {
        name = node.toString();
      }
      if (name.equals(existing.toString())) {
        throw sameStringForm(node);
      }
    }
  }

  int indexOf(N node) {
    Objects.requireNonNull(node, "node must not be null");
    int i = position(node);
    if (i < 0) {
      throw new IllegalArgumentException("unknown node '" + node + "'");
    }
    return i;
  }

  boolean contains(N node) {
    return position(node) >= 0;
  }

  /**
   * The node's position or -1: a map lookup once the map exists; before, a scan, since a set
   * made by a membership change is often changed again before anything looks a node up.
   */
  private int position(N node) {
    Map<N, Integer> index = indexOf;
    if (index == null) {
      if (nodes.size() <= 8 || !lookedUp) {
        lookedUp = true;
        return nodes.indexOf(node);
      }
      index = new HashMap<>(nodes.size() * 2);
      for (int i = 0; i < nodes.size(); i++) {
        index.put(nodes.get(i), i);
      }
      indexOf = index;
    }
    Integer i = index.get(node);
    return i == null ? -1 : i;
  }

  List<N> nodes() {
    return nodes;
  }

  int size() {
    return nodes.size();
  }

  N node(int i) {
    return nodes.get(i);
  }

  int weight(int i) {
    return weights[i];
  }

  boolean equalWeights() {
    for (int w : weights) {
      if (w != weights[0]) {
        return false;
      }
    }
    return true;
  }

  long totalWeight() {
    long total = 0;
    for (int w : weights) {
      total += w;
    }
    return total;
  }

  /** The identity hash of node {@code i}: its string form through {@code hash}. */
  long identityHash(int i, HashFunction hash) {
    return hash.hash(nodes.get(i).toString());
  }
}
