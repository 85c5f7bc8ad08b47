package io.scaleblocks.sharding;

import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ShardRouter} over an atomically swapped {@link ShardTopology}; see the interface for the
 * contract. Writes pass a {@link WriteGate} that a pause closes, so a pause waits for writes in
 * progress and holds new ones; routing alone never touches it.
 */
final class SnapshotShardRouter<K, R> implements ShardRouter<K, R> {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotShardRouter.class);

  private final String name;
  private final AtomicReference<ShardTopology<R>> topology;
  private final Function<? super K, ? extends CharSequence> keyExtractor;
  private final HashFunction hash;
  private final boolean hashTags;
  private final WriteGate writeGate = new WriteGate();
  private final CopyOnWriteArrayList<Tracker> trackers = new CopyOnWriteArrayList<>();
  private volatile RouteListener listener;

  SnapshotShardRouter(String name, ShardTopology<R> initial,
      Function<? super K, ? extends CharSequence> keyExtractor, HashFunction hash, boolean hashTags) {
    this.name = name;
    this.topology = new AtomicReference<>(initial);
    this.keyExtractor = keyExtractor;
    this.hash = hash;
    this.hashTags = hashTags;
  }

  @Override
  public long hashOf(K key) {
    Objects.requireNonNull(key, "key must not be null");
    CharSequence routingKey = keyExtractor.apply(key);
    if (routingKey == null) {
      throw new NullPointerException("key extractor returned null for key '" + key + "'");
    }
    return hashTags ? HashTags.hash(hash, routingKey) : hash.hash(routingKey);
  }

  @Override
  public Shard<R> shardFor(K key) {
    long h = hashOf(key);
    Shard<R> shard = topology.get().shardForHash(h);
    RouteListener l = listener;
    if (l != null) {
      l.routed(shard, h);
    }
    return shard;
  }

  @Override
  public ShardTopology<R> topology() {
    return topology.get();
  }

  @Override
  public void swap(ShardTopology<R> next) {
    ShardTopology<R> previous = topology.getAndSet(Objects.requireNonNull(next, "topology must not be null"));
    LOG.info("{} - topology v{} replaced by v{}: {}", name, previous.version(), next.version(), next);
  }

  @Override
  public ShardTopology<R> update(UnaryOperator<ShardTopology<R>> change) {
    while (true) {
      ShardTopology<R> current = topology.get();
      ShardTopology<R> next = Objects.requireNonNull(change.apply(current), "change returned null");
      if (topology.compareAndSet(current, next)) {
        if (next != current) {
          LOG.info("{} - topology v{} updated to v{}: {}", name, current.version(), next.version(), next);
        }
        return next;
      }
    }
  }

  @Override
  public <T, X extends Exception> T write(K key, ShardCall<R, T, X> call) throws X {
    long h = hashOf(key);
    writeGate.enter(name);
    try {
      // Recorded before the write, so a drain while it runs sees it, and again after, so a drain
      // that came between the two does not miss its effect.
      track(key);
      Shard<R> shard = topology.get().shardForHash(h);
      RouteListener l = listener;
      if (l != null) {
        l.routed(shard, h);
      }
      return call.call(shard);
    } finally {
      track(key);
      writeGate.exit();
    }
  }

  private void track(K key) {
    for (Tracker tracker : trackers) {
      tracker.keys.add(key);
    }
  }

  @Override
  public WritePause pauseWrites(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout must not be null");
    long start = System.nanoTime();
    boolean acquired;
    try {
      acquired = writeGate.pause(timeout.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(name + " - interrupted while pausing writes", e);
    }
    if (!acquired) {
      throw new IllegalStateException(
          name + " - writes in progress did not finish within " + timeout + "; writes not paused");
    }
    return new WritePause() {
      private final AtomicBoolean closed = new AtomicBoolean();

      @Override
      public long heldNanos() {
        return System.nanoTime() - start;
      }

      @Override
      public void close() {
        if (closed.compareAndSet(false, true)) {
          writeGate.resume();
        }
      }
    };
  }

  @Override
  public WriteTracker<K> trackWrites() {
    Tracker tracker = new Tracker();
    trackers.add(tracker);
    return tracker;
  }

  @Override
  public void listener(RouteListener routeListener) {
    this.listener = routeListener;
  }

  private final class Tracker implements WriteTracker<K> {
    final Set<K> keys = ConcurrentHashMap.newKeySet();

    @Override
    public Set<K> drain() {
      Set<K> drained = new HashSet<>();
      for (K key : keys) {
        if (keys.remove(key)) {
          drained.add(key);
        }
      }
      return drained;
    }

    @Override
    public void close() {
      trackers.remove(this);
    }
  }

  @Override
  public String toString() {
    return name + topology.get();
  }
}
