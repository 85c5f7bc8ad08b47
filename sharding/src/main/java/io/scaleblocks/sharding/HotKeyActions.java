package io.scaleblocks.sharding;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Ready-made answers to a celebrity key, as {@link HotKeyDetector.Listener}s. */
public final class HotKeyActions {

  private static final Logger LOG = LoggerFactory.getLogger(HotKeyActions.class);

  private HotKeyActions() {}

  /**
   * Pins every key that turns hot (and its hash tag) onto {@code shardId}, a shard kept for
   * celebrities, and unpins it when it cools down. Once that shard is removed, hot keys are
   * logged and left unpinned. A pin moves routing, not data (see {@link ShardRouter#pin}).
   *
   * @throws IllegalArgumentException if the router has no shard {@code shardId} now
   */
  public static <K> HotKeyDetector.Listener<K> pinTo(ShardRouter<K, ?> router, String shardId) {
    Objects.requireNonNull(router, "router must not be null");
    Objects.requireNonNull(shardId, "shardId must not be null");
    if (router.topology().shard(shardId).isEmpty()) {
      throw new IllegalArgumentException("unknown shard '" + shardId + "'");
    }
    return new HotKeyDetector.Listener<>() {
      @Override
      public void becameHot(HotKey<K> hot) {
        if (router.topology().shard(shardId).isEmpty()) {
          LOG.warn("{} - hot key {} ({} of traffic) not pinned: shard {} is gone", router, hot.key(),
              hot.share(), shardId);
          return;
        }
        LOG.info("{} - pinning hot key {} ({} of traffic) to {}", router, hot.key(), hot.share(), shardId);
        try {
          router.pin(hot.key(), shardId);
        } catch (IllegalArgumentException removedMeanwhile) {
          LOG.warn("{} - hot key {} not pinned: {}", router, hot.key(), removedMeanwhile.getMessage());
        }
      }

      @Override
      public void cooledDown(K key) {
        router.unpin(key);
      }
    };
  }

  /**
   * Spreads the reads of hot keys over {@code copies} copies ({@code "key#0"} .. {@code
   * "key#<copies-1>"}), which hash to different shards or cache nodes; writers write every copy.
   * {@code random} picks a copy: {@code bound -> ThreadLocalRandom.current().nextInt(bound)}.
   */
  public static <K> ReadSpreader<K> spreadReads(int copies, IntUnaryOperator random) {
    if (copies < 2) {
      throw new IllegalArgumentException("copies must be >= 2 but was " + copies);
    }
    return new ReadSpreader<>(copies, Objects.requireNonNull(random, "random must not be null"));
  }

  /** Knows which keys are hot and names their copies. Thread-safe. */
  public static final class ReadSpreader<K> implements HotKeyDetector.Listener<K> {
    private final int copies;
    private final IntUnaryOperator random;
    private final Set<K> hot = ConcurrentHashMap.newKeySet();

    private ReadSpreader(int copies, IntUnaryOperator random) {
      this.copies = copies;
      this.random = random;
    }

    @Override
    public void becameHot(HotKey<K> key) {
      hot.add(key.key());
    }

    @Override
    public void cooledDown(K key) {
      hot.remove(key);
    }

    /** The key to read: a random copy if {@code key} is hot, else the key itself. */
    public String readKey(K key) {
      return hot.contains(key) ? key + "#" + random.applyAsInt(copies) : key.toString();
    }

    /** The keys to write: every copy if {@code key} is hot, else the key itself. */
    public List<String> writeKeys(K key) {
      if (!hot.contains(key)) {
        return List.of(key.toString());
      }
      List<String> all = new ArrayList<>(copies);
      for (int i = 0; i < copies; i++) {
        all.add(key + "#" + i);
      }
      return all;
    }
  }
}
