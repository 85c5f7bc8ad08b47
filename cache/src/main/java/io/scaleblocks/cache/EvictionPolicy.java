package io.scaleblocks.cache;

import java.util.Locale;

/**
 * Which entry a bounded {@link LocalCache} drops when it is full, selectable by name.
 *
 * <p>Every policy but {@link #W_TINY_LFU} is implemented here and checked against a reference
 * model in the tests; {@link #W_TINY_LFU} is Caffeine's, the production default.
 */
public enum EvictionPolicy {
  /** Least recently used: a read or write moves the entry to the front. */
  LRU("lru"),
  /**
   * Least frequently used, O(1) (Shah, Mitra and Matani, "An O(1) algorithm for implementing
   * the LFU cache eviction scheme", 2010); ties go to the entry that reached that frequency first.
   * Frequencies count while an entry is resident.
   */
  LFU("lfu"),
  /** First in, first out: reads do not change the order. */
  FIFO("fifo"),
  /**
   * Adaptive Replacement Cache (Megiddo and Modha, FAST 2003): balances recency and frequency
   * with ghost lists of recently evicted keys.
   */
  ARC("arc"),
  /** Window TinyLFU through Caffeine (Einziger, Friedman and Manes, 2017). The default. */
  W_TINY_LFU("w-tinylfu");

  /** The policy a builder uses when none is set. */
  public static final EvictionPolicy DEFAULT = W_TINY_LFU;

  private final String policyName;

  EvictionPolicy(String policyName) {
    this.policyName = policyName;
  }

  /** The name {@link #byName} accepts: {@code lru}, {@code lfu}, {@code fifo}, {@code arc}, {@code w-tinylfu}. */
  public String policyName() {
    return policyName;
  }

  /**
   * The policy called {@code name}, ignoring case, {@code _} for {@code -}, and accepting
   * {@code tinylfu} and {@code caffeine} for {@link #W_TINY_LFU}.
   *
   * @throws IllegalArgumentException naming the unknown value and the accepted ones
   */
  public static EvictionPolicy byName(String name) {
    String normalised = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    if (normalised.equals("tinylfu") || normalised.equals("caffeine")) {
      return W_TINY_LFU;
    }
    for (EvictionPolicy policy : values()) {
      if (policy.policyName.equals(normalised)) {
        return policy;
      }
    }
    throw new IllegalArgumentException(
        "policy must be one of lru, lfu, fifo, arc, w-tinylfu but was '" + name + "'");
  }
}
