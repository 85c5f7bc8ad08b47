package io.scaleblocks.bench.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.scaleblocks.cache.CacheAside;
import io.scaleblocks.cache.EvictionPolicy;
import io.scaleblocks.cache.LocalCache;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Reads and 75/25 reads/writes of Zipfian keys, two threads, after Caffeine's
 * {@code GetPutBenchmark}: every key read is resident, in a cache that was filled to its bound
 * once (so all its structures are in their steady state). Our cache-aside hit path on the default policy and our LRU, LFU,
 * FIFO and ARC, against Caffeine's {@code getIfPresent}/{@code put} (the anchor) and a
 * {@code synchronized} access-ordered {@code LinkedHashMap} LRU (the naive baseline). The
 * anchor has no expiry while the cache-aside keeps a per-entry TTL ({@code cacheAsideRecordingStats}
 * also counts hits and misses); {@code caffeineExpireAfter}
 * (Caffeine with a per-entry {@code Expiry}) and {@code caffeineExpireAfterWrite} (one fixed TTL)
 * show what Caffeine itself pays for a TTL, and {@code caffeineHolder} the least any wrapper that
 * checks a per-entry deadline on a hit pays.
 */
@State(Scope.Benchmark)
public class CacheBenchmark {

  private static final int SIZE = 2 << 14;
  private static final int MASK = SIZE - 1;
  private static final int ITEMS = SIZE / 3;
  private static final long TTL_NANOS = TimeUnit.MINUTES.toNanos(10);

  @Param({"cacheAside", "cacheAsideRecordingStats", "caffeine", "caffeineExpireAfter", "caffeineExpireAfterWrite", "caffeineHolder", "lru", "lfu", "fifo", "arc", "synchronizedLinkedHashMap"})
  String impl;

  Integer[] keys;
  Ops ops;

  /** One implementation's get, put and invalidate. */
  interface Ops {
    Object get(Integer key);

    void put(Integer key, Integer value);

    void invalidate(Integer key);
  }

  /**
   * Each thread walks the shared key array from its own random offset. The position lives in the
   * middle of its own array rather than in a field: JMH pads a state object after its fields but
   * not before them, so a field written on every operation could share a cache line with data the
   * other thread reads on every operation, and make the result depend on the fork's memory layout.
   */
  @State(Scope.Thread)
  public static class ThreadState {
    private static final int POSITION = 32;
    final int[] index = new int[2 * POSITION];

    {
      index[POSITION] = ThreadLocalRandom.current().nextInt();
    }

    int next() {
      return index[POSITION]++;
    }
  }

  /** A value and its deadline, for {@code caffeineHolder}. */
  record Holder(Optional<Integer> value, long deadline) {}

  @Setup
  public void setUp() {
    keys = ZipfKeys.generate(ITEMS, 0.99, 1, SIZE);
    ops = create(impl);
    // As Caffeine's GetPutBenchmark does: fill the cache to its bound once, so that everything a
    // cache in steady state uses exists (Caffeine sizes its frequency sketch and starts buffering
    // reads only once half full), then empty it and put the keys the benchmark reads.
    for (int key = 0; key < 2 * SIZE; key++) {
      ops.put(key, key);
    }
    for (int key = 0; key < 2 * SIZE; key++) {
      ops.invalidate(key);
    }
    for (int key = 0; key < ITEMS; key++) {
      ops.put(key, key);
    }
    for (Integer key : keys) {
      if (ops.get(key) == null) {
        throw new IllegalStateException(impl + " lost key " + key + ": the benchmark measures hits");
      }
    }
  }

  static Ops create(String impl) {
    return switch (impl) {
      case "cacheAside" -> ops(CacheAside.<Integer, Integer>builder(Optional::of).maximumSize(2 * SIZE).build());
      // The same with recordStats(): every hit increments a striped counter and takes the longer
      // path that counts it.
      case "cacheAsideRecordingStats" ->
          ops(CacheAside.<Integer, Integer>builder(Optional::of).maximumSize(2 * SIZE).recordStats().build());
      case "caffeine" -> {
        Cache<Integer, Integer> cache = Caffeine.newBuilder().maximumSize(2 * SIZE).build();
        yield new Ops() {
          @Override public Object get(Integer key) { return cache.getIfPresent(key); }
          @Override public void put(Integer key, Integer value) { cache.put(key, value); }
          @Override public void invalidate(Integer key) { cache.invalidate(key); }
        };
      }
      case "caffeineExpireAfter" -> {
        // Caffeine with a per-entry TTL (an Expiry) on a ticker that costs one volatile read, as
        // the cache-aside's own is: what storing the value directly and letting Caffeine expire it
        // would cost. A reference point, not the anchor.
        AtomicLong ticker = new AtomicLong(System.nanoTime());
        Cache<Integer, Optional<Integer>> cache = Caffeine.newBuilder().maximumSize(2 * SIZE)
            .ticker(ticker::get)
            .expireAfter(new Expiry<Integer, Optional<Integer>>() {
              @Override public long expireAfterCreate(Integer key, Optional<Integer> value, long now) {
                return TTL_NANOS;
              }

              @Override public long expireAfterUpdate(Integer key, Optional<Integer> value, long now, long left) {
                return TTL_NANOS;
              }

              @Override public long expireAfterRead(Integer key, Optional<Integer> value, long now, long left) {
                return left;
              }
            }).build();
        yield new Ops() {
          @Override public Object get(Integer key) { return cache.getIfPresent(key); }
          @Override public void put(Integer key, Integer value) { cache.put(key, Optional.of(value)); }
          @Override public void invalidate(Integer key) { cache.invalidate(key); }
        };
      }
      case "caffeineExpireAfterWrite" -> {
        // Caffeine with one fixed TTL for every entry (no jitter, no separate negative TTL, no
        // per-entry early refresh), which it checks in its own node: the cheapest TTL there is.
        AtomicLong ticker = new AtomicLong(System.nanoTime());
        Cache<Integer, Optional<Integer>> cache = Caffeine.newBuilder().maximumSize(2 * SIZE)
            .ticker(ticker::get).expireAfterWrite(TTL_NANOS, TimeUnit.NANOSECONDS).build();
        yield new Ops() {
          @Override public Object get(Integer key) { return cache.getIfPresent(key); }
          @Override public void put(Integer key, Integer value) { cache.put(key, Optional.of(value)); }
          @Override public void invalidate(Integer key) { cache.invalidate(key); }
        };
      }
      case "caffeineHolder" -> {
        // The least a per-entry TTL can cost on top of Caffeine: its value is a holder of the
        // Optional and a deadline, checked against a clock that costs one volatile read. A
        // reference point for the cache-aside, not the anchor.
        AtomicLong clock = new AtomicLong(System.nanoTime());
        Cache<Integer, Holder> cache = Caffeine.newBuilder().maximumSize(2 * SIZE).build();
        yield new Ops() {
          @Override public Object get(Integer key) {
            Holder holder = cache.getIfPresent(key);
            return holder != null && clock.get() - holder.deadline < 0 ? holder.value : null;
          }

          @Override public void put(Integer key, Integer value) {
            cache.put(key, new Holder(Optional.of(value), clock.get() + TTL_NANOS));
          }

          @Override public void invalidate(Integer key) { cache.invalidate(key); }
        };
      }
      case "synchronizedLinkedHashMap" -> {
        Map<Integer, Integer> map = new LinkedHashMap<>(2 * SIZE, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<Integer, Integer> eldest) {
            return size() > 2 * SIZE;
          }
        };
        yield new Ops() {
          @Override public Object get(Integer key) {
            synchronized (map) {
              return map.get(key);
            }
          }

          @Override public void put(Integer key, Integer value) {
            synchronized (map) {
              map.put(key, value);
            }
          }

          @Override public void invalidate(Integer key) {
            synchronized (map) {
              map.remove(key);
            }
          }
        };
      }
      default -> {
        LocalCache<Integer, Integer> cache = LocalCache.<Integer, Integer>builder()
            .policy(EvictionPolicy.byName(impl)).maximumSize(2 * SIZE).build();
        yield new Ops() {
          @Override public Object get(Integer key) { return cache.getIfPresent(key); }
          @Override public void put(Integer key, Integer value) { cache.put(key, value); }
          @Override public void invalidate(Integer key) { cache.invalidate(key); }
        };
      }
    };
  }

  private static Ops ops(CacheAside<Integer, Integer> cache) {
    return new Ops() {
      @Override public Object get(Integer key) { return cache.get(key); }
      @Override public void put(Integer key, Integer value) { cache.put(key, value); }
      @Override public void invalidate(Integer key) { cache.invalidate(key); }
    };
  }

  @Benchmark
  @Threads(2)
  public Object readOnly(ThreadState state) {
    return ops.get(keys[state.next() & MASK]);
  }

  @Benchmark
  @Threads(2)
  public Object readWrite(ThreadState state) {
    int i = state.next();
    Integer key = keys[i & MASK];
    if ((i & 3) == 0) {
      ops.put(key, key);
      return key;
    }
    return ops.get(key);
  }
}
