package io.scaleblocks.cache;

import io.scaleblocks.cache.SingleFlight.Flight;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@link CacheAside#getAll}: local hits, then single-flight both ways for the misses. A key that
 * a get, a refresh or another batch is loading is awaited; every other key gets a flight of this
 * batch, so a get arriving meanwhile waits for the batch instead of calling the loader itself.
 * The batch's own keys go through {@link FillPipeline#fillAll} and are settled before it waits
 * for anyone (two batches may each wait for keys the other owns); every flight of the batch
 * lands as its key is settled, or fails with the batch. Thread-safe.
 */
final class BatchLoader<K, V> {

  private final LocalTier<K, V> tier;
  private final SingleFlight<K, LocalEntry<V>> flights;
  private final FillPipeline<K, V> pipeline;
  private final CacheCounters counters;
  private final boolean recordStats;

  BatchLoader(LocalTier<K, V> tier, SingleFlight<K, LocalEntry<V>> flights, FillPipeline<K, V> pipeline,
      CacheCounters counters, boolean recordStats) {
    this.tier = tier;
    this.flights = flights;
    this.pipeline = pipeline;
    this.counters = counters;
    this.recordStats = recordStats;
  }

  Map<K, V> getAll(Collection<? extends K> keys) {
    Map<K, V> result = new LinkedHashMap<>();
    Set<K> missing = new LinkedHashSet<>();
    for (K key : keys) {
      Objects.requireNonNull(key, "key");
      LocalEntry<V> entry = tier.usable(key);
      if (entry != null) {
        if (recordStats) {
          counters.hits.increment();
        }
        entry.value.ifPresent(v -> result.put(key, v));
      } else if (missing.add(key) && recordStats) {
        counters.misses.increment();
      }
    }
    if (missing.isEmpty()) {
      return result;
    }
    Map<K, Flight<LocalEntry<V>>> owned = new HashMap<>();
    Map<K, Flight<LocalEntry<V>>> awaited = new LinkedHashMap<>();
    for (K key : missing) {
      Flight<LocalEntry<V>> flight = new Flight<>(Thread.currentThread());
      Flight<LocalEntry<V>> running = flights.claim(key, flight);
      if (running == null) {
        owned.put(key, flight);
      } else {
        awaited.put(key, running);
      }
    }
    missing.removeAll(awaited.keySet());
    try {
      pipeline.fillAll(missing, (key, entry) -> {
        entry.value.ifPresent(v -> result.put(key, v));
        flights.land(key, owned.get(key), entry);
      });
    } catch (RuntimeException | Error e) {
      owned.forEach((key, flight) -> flights.fail(key, flight, e));
      throw e;
    }
    awaited.forEach((key, running) -> flights.await(key, running).value.ifPresent(v -> result.put(key, v)));
    return result;
  }
}
