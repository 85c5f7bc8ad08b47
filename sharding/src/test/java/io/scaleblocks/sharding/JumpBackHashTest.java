package io.scaleblocks.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** JumpBackHash keeps jump hash's contract: monotone growth and a uniform spread. */
class JumpBackHashTest {

  @Test
  void growingByOneBucketMovesKeysOnlyToTheNewBucket() {
    SplittableRandom random = new SplittableRandom(7);
    for (int key = 0; key < 2_000; key++) {
      long hash = random.nextLong();
      int previous = JumpBackHash.bucket(hash, 1);
      assertEquals(0, previous);
      for (int n = 2; n <= 1_100; n++) {
        int bucket = JumpBackHash.bucket(hash, n);
        assertTrue(bucket == previous || bucket == n - 1,
            "hash " + hash + " went from " + previous + " to " + bucket + " at n = " + n);
        previous = bucket;
      }
    }
  }

  @Test
  void spreadsKeysUniformlyOverEveryBucketCount() {
    SplittableRandom random = new SplittableRandom(11);
    int keys = 200_000;
    for (int n : new int[] {2, 3, 5, 7, 64, 65, 100, 1000, 3000}) {
      long[] load = new long[n];
      for (int i = 0; i < keys; i++) {
        load[JumpBackHash.bucket(random.nextLong(), n)]++;
      }
      double mean = (double) keys / n;
      double chiSquare = 0;
      for (long l : load) {
        chiSquare += (l - mean) * (l - mean) / mean;
      }
      // Chi-square with n - 1 degrees of freedom: mean n - 1, sd sqrt(2(n - 1)); 6 sd is far out.
      double bound = (n - 1) + 6 * Math.sqrt(2.0 * (n - 1));
      assertTrue(chiSquare < bound, "n = " + n + ": chi-square " + chiSquare + " >= " + bound);
    }
  }

  @Test
  void staysInRangeAtTheLargestBucketCount() {
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 100_000; i++) {
      int bucket = JumpBackHash.bucket(random.nextLong(), Integer.MAX_VALUE);
      assertTrue(bucket >= 0 && bucket < Integer.MAX_VALUE, "bucket " + bucket);
    }
  }
}
