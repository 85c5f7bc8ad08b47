package io.scaleblocks.cache;

import java.util.SplittableRandom;

/**
 * Zipf-distributed ranks in {@code [1, n]} by rejection-inversion (Hörmann and Derflinger,
 * "Rejection-inversion to generate variates from monotone discrete distributions", 1996), as in
 * Apache Commons RNG: O(1) per sample for any n, no tables. Seeded, so traces are reproducible.
 */
final class Zipf {

  private final double exponent;
  private final int n;
  private final double hIntegralX1;
  private final double hIntegralN;
  private final double s;
  private final SplittableRandom random;

  Zipf(int n, double exponent, long seed) {
    this.n = n;
    this.exponent = exponent;
    this.random = new SplittableRandom(seed);
    this.hIntegralX1 = hIntegral(1.5) - 1.0;
    this.hIntegralN = hIntegral(n + 0.5);
    this.s = 2.0 - hIntegralInverse(hIntegral(2.5) - h(2.0));
  }

  /** A rank: 1 is the most frequent. */
  int next() {
    while (true) {
      double u = hIntegralN + random.nextDouble() * (hIntegralX1 - hIntegralN);
      double x = hIntegralInverse(u);
      int k = (int) (x + 0.5);
      if (k < 1) {
        k = 1;
      } else if (k > n) {
        k = n;
      }
      if (k - x <= s || u >= hIntegral(k + 0.5) - h(k)) {
        return k;
      }
    }
  }

  /** {@code count} samples as keys {@code 0..n-1}. */
  static int[] trace(int n, double exponent, long seed, int count) {
    Zipf zipf = new Zipf(n, exponent, seed);
    int[] keys = new int[count];
    for (int i = 0; i < count; i++) {
      keys[i] = zipf.next() - 1;
    }
    return keys;
  }

  private double hIntegral(double x) {
    double logX = Math.log(x);
    return helper2((1.0 - exponent) * logX) * logX;
  }

  private double h(double x) {
    return Math.exp(-exponent * Math.log(x));
  }

  private double hIntegralInverse(double x) {
    double t = x * (1.0 - exponent);
    if (t < -1.0) {
      t = -1.0;
    }
    return Math.exp(helper1(t) * x);
  }

  private static double helper1(double x) {
    return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
  }

  private static double helper2(double x) {
    return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x));
  }
}
