package io.scaleblocks.sharding;

import java.util.List;

/**
 * Weighted rendezvous (highest random weight) hashing: every node scores the key and the highest
 * score wins.
 *
 * <p>Thread-safe and immutable; {@link #nodeFor} is allocation-free and {@code O(n)}: one mix per
 * node, plus one logarithm per node when weights differ. Routing state is one hash and one weight
 * per node.
 */
/*
 * D. Thaler, C. Ravishankar, "Using Name-Based Mappings to Increase Hit Rates", IEEE/ACM ToN
 * 1998; weighted by the logarithmic method of C. Schindelhauer, G. Schomaker, "Weighted
 * Distributed Hash Tables", SPAA 2005: score = w / -ln(u) with u uniform in (0, 1), which gives
 * node i exactly a share w_i / sum(w). With equal weights the score orders nodes as u does, so
 * the comparison of raw hashes is the same placement without the logarithm.
 */
final class RendezvousPlacement<N> implements Placement<N> {

  private static final double TWO_POW_MINUS_53 = 0x1.0p-53;

  private final NodeSet<N> nodes;
  private final long[] nodeHash;
  private final double[] weight;
  private final boolean weighted;

  RendezvousPlacement(NodeSet<N> nodes) {
    this.nodes = nodes;
    this.nodeHash = new long[nodes.size()];
    this.weight = new double[nodes.size()];
    for (int i = 0; i < nodes.size(); i++) {
      nodeHash[i] = nodes.identityHash(i, Hashing.murmur3());
      weight[i] = nodes.weight(i);
    }
    this.weighted = !nodes.equalWeights();
  }

  @Override
  public N nodeFor(long keyHash) {
    return nodes.node(weighted ? weightedWinner(keyHash) : winner(keyHash));
  }

  private int winner(long keyHash) {
    int best = 0;
    long bestScore = Hashing.mix(keyHash ^ nodeHash[0]);
    for (int i = 1; i < nodeHash.length; i++) {
      long score = Hashing.mix(keyHash ^ nodeHash[i]);
      if (Long.compareUnsigned(score, bestScore) > 0) {
        best = i;
        bestScore = score;
      }
    }
    return best;
  }

  private int weightedWinner(long keyHash) {
    int best = 0;
    double bestScore = -1;
    for (int i = 0; i < nodeHash.length; i++) {
      long h = Hashing.mix(keyHash ^ nodeHash[i]);
      double u = ((h >>> 11) + 0.5) * TWO_POW_MINUS_53;
      double score = weight[i] / -Math.log(u);
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
    }
    return best;
  }

  @Override
  public List<N> nodes() {
    return nodes.nodes();
  }

  @Override
  public Placement<N> withNode(N node, int weight) {
    return new RendezvousPlacement<>(nodes.with(node, weight));
  }

  @Override
  public Placement<N> withoutNode(N node) {
    return new RendezvousPlacement<>(nodes.without(node));
  }

  @Override
  public String toString() {
    return "Rendezvous" + nodes.nodes();
  }
}
