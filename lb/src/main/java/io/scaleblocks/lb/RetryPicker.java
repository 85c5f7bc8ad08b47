package io.scaleblocks.lb;

import java.util.List;

/**
 * Chooses the endpoint of a retry from one snapshot. In order of preference: with
 * {@code leaveZone}, the nearest other zone that has candidates (Envoy's "previous priorities"
 * retry: a zone that failed twice is skipped); then what a pick would choose, if it was not tried
 * yet and is not known to be failing; then any endpoint that was neither tried nor is known to
 * be failing, any untried one, and last any one but the endpoint that just failed. "Known to be
 * failing" means unhealthy or ejected: in panic such endpoints are candidates for first tries,
 * but a retry that has a sound endpoint to go to goes there.
 *
 * <p>Stateless and thread-safe; allocates nothing.
 */
final class RetryPicker {

  private static final int PICKS = 3;

  private RetryPicker() {}

  /** The endpoint for the next try, or null when only the one that just failed is left. */
  static <T> Endpoint<T> next(Snapshot<T> snapshot, List<Endpoint<T>> tried, CharSequence key,
      boolean leaveZone) {
    Endpoint<T> last = tried.get(tried.size() - 1);
    if (leaveZone) {
      for (Level<T> level : snapshot.ranked) {
        if (!level.zone.equals(last.zone())) {
          int index = level.selector.select(key);
          if (fresh(level, index, tried)) {
            return level.endpoints[index];
          }
          Endpoint<T> sound = scan(level, tried, true);
          if (sound != null) {
            return sound;
          }
        }
      }
    }
    for (int i = 0; i < PICKS && snapshot.levels.length > 0; i++) {
      Level<T> level = snapshot.levels.length == 1 ? snapshot.levels[0] : snapshot.level(key);
      int index = level.selector.select(key);
      if (fresh(level, index, tried)) {
        return level.endpoints[index];
      }
    }
    for (int pass = 0; pass < 2; pass++) {
      for (Level<T> level : snapshot.ranked) {
        Endpoint<T> found = scan(level, tried, pass == 0);
        if (found != null) {
          return found;
        }
      }
    }
    for (Level<T> level : snapshot.ranked) {
      for (Endpoint<T> endpoint : level.endpoints) {
        if (!endpoint.address().equals(last.address())) {
          return endpoint;
        }
      }
    }
    return null;
  }

  private static <T> boolean fresh(Level<T> level, int index, List<Endpoint<T>> tried) {
    return level.states[index].available() && !contains(tried, level.endpoints[index]);
  }

  /** An untried endpoint of {@code level} (and a sound one with {@code sound}), from a random start. */
  private static <T> Endpoint<T> scan(Level<T> level, List<Endpoint<T>> tried, boolean sound) {
    int n = level.endpoints.length;
    if (n == 0) {
      return null;
    }
    int start = RandomSource.reduce(RandomSource.THREAD_LOCAL.nextLong(), n);
    for (int i = 0; i < n; i++) {
      int index = (start + i) % n;
      if ((!sound || level.states[index].available())
          && !contains(tried, level.endpoints[index])) {
        return level.endpoints[index];
      }
    }
    return null;
  }

  static <T> boolean contains(List<Endpoint<T>> tried, Endpoint<T> endpoint) {
    for (int i = 0; i < tried.size(); i++) {
      if (tried.get(i).address().equals(endpoint.address())) {
        return true;
      }
    }
    return false;
  }
}
