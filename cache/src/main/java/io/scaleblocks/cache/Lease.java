package io.scaleblocks.cache;

import java.util.Objects;

/**
 * The right to fill one key after a miss, as memcache leases grant it (Nishtala et al., "Scaling
 * Memcache at Facebook", NSDI 2013). An invalidation revokes it, so a reader that loaded before
 * a write cannot put its old value back.
 *
 * <p>Public because the {@link CacheBackend} SPI hands leases out and takes them back
 * ({@link CacheBackend#tryLease}, {@link CacheBackend#setIfLeased}), so a backend of the user's
 * makes them; a {@link CacheAside} user never sees one.
 *
 * @param token a unique, unguessable token
 */
public record Lease(String token) {

  public Lease {
    Objects.requireNonNull(token, "token");
  }
}
