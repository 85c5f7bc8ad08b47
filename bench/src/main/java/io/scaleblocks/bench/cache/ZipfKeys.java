package io.scaleblocks.bench.cache;

import java.util.SplittableRandom;

/**
 * Seeded Zipf-distributed keys by rejection-inversion (Hörmann and Derflinger, 1996), as in
 * Apache Commons RNG.
 */
final class ZipfKeys {

  private ZipfKeys() {}

  /** {@code count} keys in {@code [0, n)} with the given skew. */
  static Integer[] generate(int n, double exponent, long seed, int count) {
    SplittableRandom random = new SplittableRandom(seed);
    double hIntegralX1 = hIntegral(1.5, exponent) - 1.0;
    double hIntegralN = hIntegral(n + 0.5, exponent);
    double s = 2.0 - hIntegralInverse(hIntegral(2.5, exponent) - h(2.0, exponent), exponent);
    Integer[] keys = new Integer[count];
    for (int i = 0; i < count; i++) {
      while (true) {
        double u = hIntegralN + random.nextDouble() * (hIntegralX1 - hIntegralN);
        double x = hIntegralInverse(u, exponent);
        int k = (int) (x + 0.5);
        k = Math.max(1, Math.min(n, k));
        if (k - x <= s || u >= hIntegral(k + 0.5, exponent) - h(k, exponent)) {
          keys[i] = k - 1;
          break;
        }
      }
    }
    return keys;
  }

  private static double hIntegral(double x, double exponent) {
    double logX = Math.log(x);
    return helper2((1.0 - exponent) * logX) * logX;
  }

  private static double h(double x, double exponent) {
    return Math.exp(-exponent * Math.log(x));
  }

  private static double hIntegralInverse(double x, double exponent) {
    double t = Math.max(-1.0, x * (1.0 - exponent));
    return Math.exp(helper1(t) * x);
  }

  private static double helper1(double x) {
    return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
  }

  private static double helper2(double x) {
    return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x));
  }
}
