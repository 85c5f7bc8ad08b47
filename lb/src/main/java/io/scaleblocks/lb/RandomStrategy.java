package io.scaleblocks.lb;

/**
 * Uniform random and weighted random. Weighted picks use Vose's alias method (M. D. Vose, "A
 * linear algorithm for generating random numbers with a given distribution", IEEE TSE 17(9),
 * 1991; after Walker 1977): O(N) to build, O(1) per pick from one 64-bit random number, 32 bits
 * choosing the column and 32 bits tossing its biased coin. The table is built in integer
 * arithmetic, so each endpoint's probability is its weight share to within 2^-32.
 */
final class RandomStrategy implements Strategy {

  private final boolean weighted;
  private final RandomSource random;

  RandomStrategy(boolean weighted, RandomSource random) {
    this.weighted = weighted;
    this.random = random;
  }

  @Override
  public Selector selector(Candidates candidates, Selector previous) {
    int n = candidates.size();
    if (!weighted || allEqual(candidates)) {
      return key -> RandomSource.reduce(random.nextLong(), n);
    }
    return new AliasTable(candidates, random);
  }

  private static boolean allEqual(Candidates candidates) {
    for (int i = 1; i < candidates.size(); i++) {
      if (candidates.weight(i) != candidates.weight(0)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return weighted ? "weightedRandom" : "random";
  }

  /**
   * The alias table, one {@code long} per column: the high 32 bits are the probability, scaled to
   * 2^32, of keeping the column rather than taking its alias, the low 32 bits the alias. A pick
   * reads one array element, so a column costs one cache line access and one bounds check.
   */
  static final class AliasTable implements Selector {
    private final long[] columns;
    private final RandomSource random;

    AliasTable(Candidates candidates, RandomSource random) {
      this.random = random;
      int n = candidates.size();
      long[] keep = new long[n];
      int[] alias = new int[n];
      long total = 0;
      long[] scaled = new long[n];
      for (int i = 0; i < n; i++) {
        total += candidates.weight(i);
      }
      // Column capacity is `total`; endpoint i brings weight * n of it.
      int[] small = new int[n];
      int[] large = new int[n];
      int smalls = 0;
      int larges = 0;
      for (int i = 0; i < n; i++) {
        scaled[i] = (long) candidates.weight(i) * n;
        if (scaled[i] < total) {
          small[smalls++] = i;
        } else {
          large[larges++] = i;
        }
      }
      while (smalls > 0 && larges > 0) {
        int less = small[--smalls];
        int more = large[--larges];
        keep[less] = (scaled[less] << 32) / total;
        alias[less] = more;
        scaled[more] -= total - scaled[less];
        if (scaled[more] < total) {
          small[smalls++] = more;
        } else {
          large[larges++] = more;
        }
      }
      while (larges > 0) {
        int full = large[--larges];
        keep[full] = 1L << 32;
        alias[full] = full;
      }
      while (smalls > 0) {
        int full = small[--smalls];
        keep[full] = 1L << 32;
        alias[full] = full;
      }
      columns = new long[n];
      for (int i = 0; i < n; i++) {
        // A full column is its own alias, so its keep probability 2^32 can be stored as 2^32 - 1.
        columns[i] = (Math.min(keep[i], 0xFFFF_FFFFL) << 32) | alias[i];
      }
    }

    /** The probability, scaled to 2^32, of keeping {@code column} rather than its alias. */
    long keep(int column) {
      return alias(column) == column ? 1L << 32 : columns[column] >>> 32;
    }

    int alias(int column) {
      return (int) columns[column];
    }

    @Override
    public int select(CharSequence key) {
      long bits = random.nextLong();
      long[] table = columns;
      int column = RandomSource.reduce(bits >>> 32, table.length);
      long entry = table[column];
      return (bits & 0xFFFF_FFFFL) < (entry >>> 32) ? column : (int) entry;
    }
  }
}
