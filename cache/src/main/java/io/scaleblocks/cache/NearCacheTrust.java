package io.scaleblocks.cache;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which of a near cache's local entries may still be served, per invalidation channel of its
 * backend. The channels that are down, or not yet confirmed, are listed with the keys they cover
 * and since when; a key is trusted unless a channel covering it has been down for longer than
 * the staleness bound. A channel's return clears only its keys from the local tier, and does not
 * vouch for another channel that is still down.
 *
 * <p>Thread-safe. Channel events are rare: they take a lock and swap an immutable list, which
 * {@link #trusts} reads without one.
 */
final class NearCacheTrust<K> implements InvalidationListener<K> {

  /** The local tier that the channels keep coherent. */
  interface LocalTier<K> {
    /** Another instance changed {@code key}: drop it, and keep a fill that began before from putting it back. */
    void invalidate(K key);

    /** A channel came back: drop the keys {@code covers} accepts, and keep every fill that began before from putting. */
    void invalidateAll(Predicate<? super K> covers);

    /** The set of down channels changed; {@code allUp} when it is empty. Called under the lock. */
    void trustChanged(boolean allUp);
  }

  /** A channel that is down: the keys it covers, and the ticker reading since when. */
  private record DownChannel<K>(Predicate<? super K> covers, long since) {}

  private static final Logger LOG = LoggerFactory.getLogger(NearCacheTrust.class);

  private final String name;
  /** The id of the cache this trust belongs to, which its own invalidations carry. */
  private final long origin;
  private final LongSupplier ticker;
  private final long stalenessNanos;
  private final LocalTier<K> tier;
  private final ReentrantLock lock = new ReentrantLock();
  /** Channels down or not yet confirmed; an immutable snapshot, swapped under {@link #lock}. */
  private volatile List<DownChannel<K>> down = List.of();
  /** A channel other than {@link #EVERY_KEY} was heard of; under the lock. */
  private boolean announcedChannels;
  /** Channels confirmed at least once (by identity), whose loss is worth a warning; under the lock. */
  private final Set<Predicate<? super K>> confirmed = Collections.newSetFromMap(new IdentityHashMap<>());

  NearCacheTrust(String name, long origin, LongSupplier ticker, long stalenessNanos, LocalTier<K> tier) {
    this.name = name;
    this.origin = origin;
    this.ticker = ticker;
    this.stalenessNanos = stalenessNanos;
    this.tier = tier;
  }

  /**
   * Subscribes to {@code backend}'s channels. Until a channel confirms its first subscription,
   * invalidations can be missed exactly as after a disconnect: the same staleness bound applies,
   * and the first confirmation clears whatever the local tier cached meanwhile. Until told
   * otherwise the backend has one channel for every key; one with several channels announces
   * each during subscribe, and then those stand for it and the assumed one is dropped. A backend
   * without a channel leaves every key trusted.
   */
  void subscribe(CacheBackend<K, ?> backend) {
    lock.lock();
    try {
      setDown(List.of(new DownChannel<>(EVERY_KEY, ticker.getAsLong())));
    } finally {
      lock.unlock();
    }
    boolean hasChannel = backend.subscribe(this);
    lock.lock();
    try {
      if (!hasChannel || announcedChannels) {
        drop(EVERY_KEY);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Whether a local entry of {@code key} made at {@code filledAt} may be served at {@code now}:
   * yes unless a channel covering the key has been down for longer than the bound, and even then
   * if the entry was made after that channel went down and is younger than the bound. Such an
   * entry was read from the source (or the shared tier) while invalidations could be missed, so
   * it can have missed at most a bound's worth of them: the same staleness that a channel down
   * for less than the bound allows. So during an outage the local tier still absorbs repeated
   * reads, with one load per key per bound, instead of sending every read to the loader.
   */
  boolean trusts(K key, long filledAt, long now) {
    List<DownChannel<K>> channels = down;
    for (int i = 0; i < channels.size(); i++) {
      DownChannel<K> channel = channels.get(i);
      if (now - channel.since() > stalenessNanos && channel.covers().test(key)
          && !(filledAt != Long.MIN_VALUE && filledAt - channel.since() >= 0 && now - filledAt <= stalenessNanos)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void invalidated(K key) {
    tier.invalidate(key);
  }

  /**
   * The echo of this cache's own invalidation is ignored: the cache dropped or replaced its local
   * entry itself, and applying the echo after a write-through's local put would drop the value
   * just written. Another cache's invalidation, on the same backend object or not, applies.
   */
  @Override
  public void invalidated(K key, long from) {
    if (from == NO_ORIGIN || from != origin) {
      tier.invalidate(key);
    }
  }

  @Override
  public void disconnected(Predicate<? super K> covers) {
    Objects.requireNonNull(covers, "covers");
    boolean lost;
    lock.lock();
    try {
      noteChannel(covers);
      if (indexOf(down, covers) >= 0) {
        return;
      }
      List<DownChannel<K>> next = new ArrayList<>(down);
      next.add(new DownChannel<>(covers, ticker.getAsLong()));
      setDown(List.copyOf(next));
      lost = confirmed.contains(covers);
    } finally {
      lock.unlock();
    }
    if (lost) {
      LOG.warn("{} - an invalidation channel is down{}; its keys' local entries are served for at most {} ms",
          name, describe(covers), TimeUnit.NANOSECONDS.toMillis(stalenessNanos));
    }
  }

  @Override
  public void reconnected(Predicate<? super K> covers) {
    Objects.requireNonNull(covers, "covers");
    lock.lock();
    try {
      noteChannel(covers);
      confirmed.add(covers);
      if (indexOf(down, covers) < 0) {
        return;
      }
      tier.invalidateAll(covers);
      drop(covers);
    } finally {
      lock.unlock();
    }
    LOG.info("{} - an invalidation channel is up{}; cleared its keys from the local tier", name, describe(covers));
  }

  private void noteChannel(Predicate<? super K> covers) {
    if (covers != EVERY_KEY) {
      announcedChannels = true;
    }
  }

  /** Forgets {@code covers} as down; under the lock. */
  private void drop(Predicate<? super K> covers) {
    int index = indexOf(down, covers);
    if (index >= 0) {
      List<DownChannel<K>> next = new ArrayList<>(down);
      next.remove(index);
      setDown(List.copyOf(next));
    }
  }

  private void setDown(List<DownChannel<K>> channels) {
    down = channels;
    tier.trustChanged(channels.isEmpty());
  }

  private static <K> int indexOf(List<DownChannel<K>> channels, Predicate<?> covers) {
    for (int i = 0; i < channels.size(); i++) {
      if (channels.get(i).covers() == covers) {
        return i;
      }
    }
    return -1;
  }

  private static String describe(Predicate<?> covers) {
    return covers == EVERY_KEY ? "" : " (" + covers + ")";
  }
}
