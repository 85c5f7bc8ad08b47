package io.scaleblocks.sharding;

import java.util.Arrays;

/**
 * The sorted points of a consistent-hash ring and the node index that owns each; a key belongs
 * to the first point at or after its hash, wrapping round to the first point.
 *
 * <p>Immutable. Points compare as unsigned 64-bit values; they are stored with the sign bit
 * flipped so that a signed binary search orders them as unsigned.
 */
final class HashRing {

  private final long[] flippedPoints;
  private final int[] owner;

  private HashRing(long[] flippedPoints, int[] owner) {
    this.flippedPoints = flippedPoints;
    this.owner = owner;
  }

  /** A ring from unsorted {@code points}, {@code owners[i]} owning {@code points[i]}. */
  static HashRing of(long[] points, int[] owners) {
    return of(points, owners, false);
  }

  /**
   * A ring from unsorted {@code points}, {@code owners[i]} owning {@code points[i]}; of equal
   * points the first given owns the point, or the last if {@code lastWins}.
   */
  static HashRing of(long[] points, int[] owners, boolean lastWins) {
    int n = points.length;
    long[] flipped = new long[n];
    for (int i = 0; i < n; i++) {
      flipped[i] = points[i] ^ Long.MIN_VALUE;
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    // Ties go to the point added first (or last), so a collision resolves the same way on every
    // client.
    Arrays.sort(order, (a, b) -> {
      int c = Long.compare(flipped[a], flipped[b]);
      return c != 0 ? c : lastWins ? Integer.compare(b, a) : Integer.compare(a, b);
    });
    long[] sortedPoints = new long[n];
    int[] sortedOwners = new int[n];
    for (int i = 0; i < n; i++) {
      sortedPoints[i] = flipped[order[i]];
      sortedOwners[i] = owners[order[i]];
    }
    return new HashRing(sortedPoints, sortedOwners);
  }

  /** The position of the first point at or after {@code hash}, wrapping to 0. */
  int positionOf(long hash) {
    long key = hash ^ Long.MIN_VALUE;
    int low = 0;
    int high = flippedPoints.length - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      long point = flippedPoints[mid];
      if (point < key) {
        low = mid + 1;
      } else if (point > key) {
        high = mid - 1;
      } else {
        // The first of equal points, so that the tie rule of {@link #of} holds.
        while (mid > 0 && flippedPoints[mid - 1] == key) {
          mid--;
        }
        return mid;
      }
    }
    return low == flippedPoints.length ? 0 : low;
  }

  /** The point at {@code position}, as the unsigned value it stands for. */
  long pointAt(int position) {
    return flippedPoints[position] ^ Long.MIN_VALUE;
  }

  int ownerAt(int position) {
    return owner[position];
  }

  int points() {
    return owner.length;
  }

  long routingStateBytes() {
    return 32 + 8L * owner.length + 4L * owner.length;
  }
}
