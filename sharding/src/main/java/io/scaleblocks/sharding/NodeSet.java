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
  private final Map<N, Integer> indexOf;

  private NodeSet(List<N> nodes, int[] weights) {
    this.nodes = Collections.unmodifiableList(nodes);
    this.weights = weights;
    Map<N, Integer> index = new HashMap<>(nodes.size() * 2);
    Set<String> names = new HashSet<>(nodes.size() * 2);
    for (int i = 0; i < nodes.size(); i++) {
      N node = nodes.get(i);
      if (index.put(node, i) != null) {
        throw new IllegalArgumentException("duplicate node '" + node + "'");
      }
      if (!names.add(node.toString())) {
        throw new IllegalArgumentException(
            "two nodes have the string form '" + node + "'; placements hash it, so it must be unique");
      }
    }
    this.indexOf = index;
  }

  static <N> NodeSet<N> of(Collection<N> nodes) {
    Objects.requireNonNull(nodes, "nodes must not be null");
    int[] weights = new int[nodes.size()];
    Arrays.fill(weights, 1);
    return new NodeSet<>(checked(new ArrayList<>(nodes)), weights);
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
    return new NodeSet<>(checked(nodes), weights);
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
    if (indexOf.containsKey(node)) {
      throw new IllegalArgumentException("duplicate node '" + node + "': it is already placed");
    }
    List<N> next = new ArrayList<>(nodes.size() + 1);
    next.addAll(nodes);
    next.add(node);
    int[] nextWeights = Arrays.copyOf(weights, weights.length + 1);
    nextWeights[weights.length] = weight;
    return new NodeSet<>(next, nextWeights);
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
    return new NodeSet<>(next, nextWeights);
  }

  int indexOf(N node) {
    Objects.requireNonNull(node, "node must not be null");
    Integer i = indexOf.get(node);
    if (i == null) {
      throw new IllegalArgumentException("unknown node '" + node + "'");
    }
    return i;
  }

  boolean contains(N node) {
    return indexOf.containsKey(node);
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
