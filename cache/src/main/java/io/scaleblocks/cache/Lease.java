package io.scaleblocks.cache;

import java.util.Objects;

/**
 * The right to fill one key after a miss, as memcache leases grant it (Nishtala et al., "Scaling
 * Memcache at Facebook", NSDI 2013). An invalidation revokes it, so a reader that loaded before
 * a write cannot put its old value back.
 *
 * @param token a unique, unguessable token
 */
public record Lease(String token) {

  public Lease {
    Objects.requireNonNull(token, "token");
  }
}
