/**
 * Cache-aside over a loader, with selectable local eviction policies, write strategies,
 * stampede and stale-set protection, and an optional shared backend.
 *
 * <p>Start at {@link io.scaleblocks.cache.CacheAside#builder} for cache-aside, or
 * {@link io.scaleblocks.cache.LocalCache#builder()} for a bounded in-process cache alone. The Redis
 * backend is in {@code io.scaleblocks.cache.redis}, the Micrometer binder in
 * {@code io.scaleblocks.cache.micrometer}.
 *
 * <p>Nullness: no parameter accepts null (a {@link java.lang.NullPointerException} names it) and
 * "absent" is {@link java.util.Optional#empty()}, except {@link
 * io.scaleblocks.cache.LocalCache#getIfPresent}, which returns null for a missing entry as a
 * map would, to keep the hit path free of allocation.
 */
package io.scaleblocks.cache;
