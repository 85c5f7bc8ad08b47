package io.scaleblocks.lb;

/**
 * Chooses one of a fixed set of {@link Candidates}; built by a {@link Strategy} for each snapshot.
 *
 * <p>Implementations are thread-safe, never block and allocate nothing per call. A
 * service-provider interface: only custom {@link Strategy} implementations need it.
 */
@FunctionalInterface
public interface Selector {

  /**
   * The index of the chosen candidate, in {@code [0, candidates.size())}.
   *
   * @param key the request's affinity key (client IP, user id, cookie value) or {@code null};
   *     strategies that do not hash ignore it
   */
  int select(CharSequence key);
}
