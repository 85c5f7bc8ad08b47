package io.scaleblocks.cache.redis;

import io.scaleblocks.cache.CacheBackend;
import io.scaleblocks.cache.CacheBackendException;
import io.scaleblocks.cache.CacheEntry;
import io.scaleblocks.cache.Codec;
import io.scaleblocks.cache.InvalidationListener;
import io.scaleblocks.cache.Lease;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisBusyException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * A {@link CacheBackend} on Redis through a Jedis {@link UnifiedJedis}, so a standalone server
 * ({@code RedisClient}) and a Redis Cluster ({@code RedisClusterClient}) both work.
 *
 * <p>Layout: an entry lives at {@code <prefix>{<key>}} and its fill lease at
 * {@code <prefix>{<key>}:lease}; the hash tag keeps both in one Cluster slot so the lease
 * scripts are atomic. Batches are pipelined. Invalidation deletes entry and lease and publishes
 * the key, with the publishing cache's id on {@code <prefix>invalidations:origin} and bare on
 * {@code <prefix>invalidations}, in one script (see {@link #invalidate(Object, long)}).
 *
 * <p>Failure: every call goes through a circuit breaker; after {@code failureThreshold}
 * consecutive errors calls fail fast with {@link CacheBackendException} for {@code openDuration},
 * then one trial call probes the server. Timeouts are the Jedis client's socket and connect
 * timeouts ({@link RedisCacheBackends#standalone} sets them). Thread-safe.
 */
final class RedisCacheBackend<K, V> implements CacheBackend<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(RedisCacheBackend.class);
  private static final SecureRandom TOKENS = new SecureRandom();
  private static final byte[] LEASE_SUFFIX = ":lease".getBytes(StandardCharsets.UTF_8);
  private static final byte[] HEARTBEAT = {1};
  private static final long UNDECODABLE_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final byte[] SET_IF_LEASED = ("if redis.call('GET', KEYS[2]) == ARGV[1] then "
      + "redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) redis.call('DEL', KEYS[2]) return 1 end "
      + "return 0").getBytes(StandardCharsets.UTF_8);
  private static final byte[] RELEASE = ("if redis.call('GET', KEYS[1]) == ARGV[1] then "
      + "return redis.call('DEL', KEYS[1]) end return 0").getBytes(StandardCharsets.UTF_8);
  /** Deletes entry and lease, then publishes the tagged message and after it the legacy twin. */
  private static final byte[] INVALIDATE = ("redis.call('DEL', KEYS[1], KEYS[2]) "
      + "redis.call('PUBLISH', ARGV[3], ARGV[4]) redis.call('PUBLISH', ARGV[1], ARGV[2]) return 1")
      .getBytes(StandardCharsets.UTF_8);
  /** Tagged messages waiting for their legacy twin, per subscription; past this the oldest is forgotten. */
  private static final int MAX_UNMATCHED_TWINS = 64;

  private final String name;
  private final UnifiedJedis jedis;
  private final Codec<K> keyCodec;
  private final Codec<V> valueCodec;
  private final int valueCodecVersion;
  private final byte[] prefix;
  private final byte[] channel;
  /** {@code <prefix>invalidations:origin}: each invalidation again, with its publisher's id. */
  private final byte[] taggedChannel;
  private final Clock clock;
  private final LongSupplier ticker;
  private final CircuitBreaker breaker;
  private final long reconnectMaxNanos;
  private final List<InvalidationListener<K>> listeners = new CopyOnWriteArrayList<>();
  private final ReentrantLock subscriberLock = new ReentrantLock();
  private volatile Thread subscriber;
  private volatile boolean subscribed;
  private volatile BinaryJedisPubSub pubSub;
  private volatile boolean closed;
  private volatile long lastUndecodableLog = Long.MIN_VALUE;
  private final long heartbeatNanos;
  /** This backend's own channel for its heartbeat: {@code <prefix>heartbeat:<random>}. */
  private final byte[] heartbeatChannel;
  /** When the subscription last answered (System.nanoTime). */
  private volatile long lastHeard;
  /** Subscribed, but silent past the heartbeat bound: listeners were told it is lost. */
  private volatile boolean silent;

  RedisCacheBackend(RedisCacheBackends.Builder<K, V> b) {
    this.name = b.name;
    this.jedis = b.jedis;
    this.keyCodec = b.keyCodec;
    this.valueCodec = b.valueCodec;
    this.valueCodecVersion = b.valueCodecVersion;
    this.prefix = b.prefix.getBytes(StandardCharsets.UTF_8);
    this.channel = (b.prefix + "invalidations").getBytes(StandardCharsets.UTF_8);
    this.taggedChannel = (b.prefix + "invalidations:origin").getBytes(StandardCharsets.UTF_8);
    this.clock = b.clock;
    this.ticker = b.ticker;
    this.breaker = new CircuitBreaker(name, b.failureThreshold, b.openDuration.toNanos(), b.ticker);
    this.reconnectMaxNanos = b.openDuration.toNanos();
    this.heartbeatNanos = b.heartbeat.toNanos();
    this.heartbeatChannel = (b.prefix + "heartbeat:" + newToken()).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * {@code <prefix>{<key>}}: the braces make the key its own cluster hash tag, so an entry and its
   * {@code :lease} share a slot and the lease scripts may touch both. A key whose bytes are empty
   * or start with {@code '}'} would give an empty tag, which Redis ignores (hashing the whole
   * name, so entry and lease would part), and such keys, with those starting with {@code '~'}
   * to keep the mapping one-to-one, are written {@code <prefix>{~<key>}}.
   */
  byte[] entryKey(K key) {
    byte[] k = keyCodec.encode(key);
    int escape = k.length == 0 || k[0] == '}' || k[0] == '~' ? 1 : 0;
    byte[] out = new byte[prefix.length + escape + k.length + 2];
    System.arraycopy(prefix, 0, out, 0, prefix.length);
    out[prefix.length] = '{';
    if (escape == 1) {
      out[prefix.length + 1] = '~';
    }
    System.arraycopy(k, 0, out, prefix.length + 1 + escape, k.length);
    out[out.length - 1] = '}';
    return out;
  }

  private static byte[] leaseKey(byte[] entryKey) {
    byte[] out = new byte[entryKey.length + LEASE_SUFFIX.length];
    System.arraycopy(entryKey, 0, out, 0, entryKey.length);
    System.arraycopy(LEASE_SUFFIX, 0, out, entryKey.length, LEASE_SUFFIX.length);
    return out;
  }

  /**
   * Runs one command through the breaker. Only failures of the server or the connection count
   * against it (connection refused or reset, timeouts, no pooled connection, cluster down, BUSY): an error that Redis
   * answered with, or a codec's failure, says nothing about the server's health. Whatever the
   * command throws, an {@code Error} included, resolves the breaker's trial call.
   */
  private <T> T call(String what, Supplier<T> command) {
    if (!breaker.tryAcquire()) {
      throw new CacheBackendException(name + " - circuit open, skipping " + what, null);
    }
    boolean resolved = false;
    try {
      T result = command.get();
      breaker.onSuccess();
      resolved = true;
      return result;
    } catch (RuntimeException e) {
      if (isServerFailure(e)) {
        breaker.onFailure(e);
      } else {
        breaker.onSuccess();
      }
      resolved = true;
      throw new CacheBackendException(name + " - " + what + " failed: " + e.getMessage(), e);
    } finally {
      if (!resolved) {
        breaker.onFailure(new IllegalStateException(what + " threw an Error"));
      }
    }
  }

  /** Jedis' own failures except the errors Redis replied with (a busy server counts). */
  private static boolean isServerFailure(RuntimeException e) {
    return e instanceof JedisBusyException || (e instanceof JedisException && !(e instanceof JedisDataException));
  }

  private long ttlMillis(CacheEntry<V> entry) {
    return entry.expiresAtMillis() - clock.millis();
  }

  @Override
  public Optional<CacheEntry<V>> get(K key) {
    byte[] bytes = call("GET", () -> jedis.get(entryKey(key)));
    return Optional.ofNullable(decode(key, bytes));
  }

  /**
   * The entry in {@code bytes}, or null for none, for an entry of another value codec version,
   * and for bytes it cannot decode; of the last it warns at most once per 10 s of the ticker,
   * with the first key it met.
   */
  CacheEntry<V> decode(K key, byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      return EntryFormat.decode(bytes, valueCodec, valueCodecVersion).orElse(null);
    } catch (RuntimeException e) {
      // Rate-limited: during a rolling deploy that changes the value format without a new
      // valueCodecVersion, every read of an entry the other version wrote may land here.
      long now = ticker.getAsLong();
      long last = lastUndecodableLog;
      if (last == Long.MIN_VALUE || now - last > UNDECODABLE_LOG_INTERVAL_NANOS) {
        lastUndecodableLog = now;
        LOG.warn("{} - ignoring an undecodable entry for {} (and others for 10 s): {}", name, key, e.toString());
      }
      return null;
    }
  }

  @Override
  public Map<K, CacheEntry<V>> getAll(Collection<? extends K> keys) {
    List<K> order = new ArrayList<>(keys);
    List<Response<byte[]>> responses = call("pipelined GET", () -> {
      List<Response<byte[]>> rs = new ArrayList<>(order.size());
      try (AbstractPipeline pipeline = jedis.pipelined()) {
        for (K key : order) {
          rs.add(pipeline.get(entryKey(key)));
        }
        pipeline.sync();
      }
      return rs;
    });
    Map<K, CacheEntry<V>> found = new HashMap<>();
    for (int i = 0; i < order.size(); i++) {
      CacheEntry<V> entry = decode(order.get(i), responses.get(i).get());
      if (entry != null) {
        found.put(order.get(i), entry);
      }
    }
    return found;
  }

  @Override
  public void set(K key, CacheEntry<V> entry) {
    long ttl = ttlMillis(entry);
    if (ttl <= 0) {
      return;
    }
    call("SET", () -> jedis.set(entryKey(key), EntryFormat.encode(entry, valueCodec, valueCodecVersion), SetParams.setParams().px(ttl)));
  }

  @Override
  public void setAll(Map<? extends K, CacheEntry<V>> entries) {
    call("pipelined SET", () -> {
      try (AbstractPipeline pipeline = jedis.pipelined()) {
        entries.forEach((key, entry) -> {
          long ttl = ttlMillis(entry);
          if (ttl > 0) {
            pipeline.set(entryKey(key), EntryFormat.encode(entry, valueCodec, valueCodecVersion), SetParams.setParams().px(ttl));
          }
        });
        pipeline.sync();
      }
      return null;
    });
  }

  @Override
  public void invalidate(K key) {
    invalidate(key, InvalidationListener.NO_ORIGIN);
  }

  /**
   * Publishes twice, in one script: {@code <8-byte origin><key>} on {@code <prefix>invalidations:origin},
   * then the bare key on {@code <prefix>invalidations}, the only message earlier versions send and
   * read. So during a rolling deploy an instance of an earlier version still hears every
   * invalidation, and this version applies an earlier one's bare messages (without an origin, so
   * every cache applies them). This version's subscriber reads both channels on one connection
   * and drops a bare message that is the twin of a tagged one it already delivered (see
   * {@link #subscribeLoop}).
   */
  @Override
  public void invalidate(K key, long origin) {
    byte[] entryKey = entryKey(key);
    byte[] encoded = keyCodec.encode(key);
    byte[] tagged = ByteBuffer.allocate(Long.BYTES + encoded.length).putLong(origin).put(encoded).array();
    call("invalidate", () -> jedis.eval(INVALIDATE, List.of(entryKey, leaseKey(entryKey)),
        List.of(channel, encoded, taggedChannel, tagged)));
  }

  @Override
  public Optional<Lease> tryLease(K key, Duration ttl) {
    String token = newToken();
    String reply = call("lease", () -> jedis.set(leaseKey(entryKey(key)), token.getBytes(StandardCharsets.US_ASCII),
        SetParams.setParams().nx().px(ttl.toMillis())));
    return "OK".equals(reply) ? Optional.of(new Lease(token)) : Optional.empty();
  }

  @Override
  public Map<K, Lease> tryLeaseAll(Collection<? extends K> keys, Duration ttl) {
    Map<K, String> tokens = new HashMap<>();
    Map<K, Response<String>> replies = new HashMap<>();
    call("pipelined lease", () -> {
      try (AbstractPipeline pipeline = jedis.pipelined()) {
        for (K key : keys) {
          String token = newToken();
          tokens.put(key, token);
          replies.put(key, pipeline.set(leaseKey(entryKey(key)), token.getBytes(StandardCharsets.US_ASCII),
              SetParams.setParams().nx().px(ttl.toMillis())));
        }
        pipeline.sync();
      }
      return null;
    });
    Map<K, Lease> granted = new HashMap<>();
    replies.forEach((key, reply) -> {
      if ("OK".equals(reply.get())) {
        granted.put(key, new Lease(tokens.get(key)));
      }
    });
    return granted;
  }

  @Override
  public boolean setIfLeased(K key, Lease lease, CacheEntry<V> entry) {
    long ttl = Math.max(1, ttlMillis(entry));
    byte[] entryKey = entryKey(key);
    Object stored = call("fill", () -> jedis.eval(SET_IF_LEASED, List.of(entryKey, leaseKey(entryKey)),
        List.of(lease.token().getBytes(StandardCharsets.US_ASCII), EntryFormat.encode(entry, valueCodec, valueCodecVersion),
            Long.toString(ttl).getBytes(StandardCharsets.US_ASCII))));
    return Long.valueOf(1).equals(stored);
  }

  @Override
  public void releaseLease(K key, Lease lease) {
    byte[] leaseKey = leaseKey(entryKey(key));
    call("release", () -> jedis.eval(RELEASE, List.of(leaseKey),
        List.of(lease.token().getBytes(StandardCharsets.US_ASCII))));
  }

  private static String newToken() {
    byte[] bytes = new byte[16];
    TOKENS.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * Starts (once) a daemon thread that holds a subscription to the invalidation channel,
   * reconnecting with back-off. The one channel carries every key: a new listener hears
   * {@code disconnected()} at once (unconfirmed), then {@code reconnected()} each time the
   * subscription is (re)established (at once if it is now) and {@code disconnected()} when it
   * drops. Listener calls happen under {@code subscriberLock}, so they cannot cross.
   */
  @Override
  public boolean subscribe(InvalidationListener<K> listener) {
    subscriberLock.lock();
    try {
      listener.disconnected();
      listeners.add(listener);
      if (subscribed) {
        listener.reconnected();
      }
      if (subscriber == null) {
        Thread thread = new Thread(this::subscribeLoop, name + "-invalidations");
        thread.setDaemon(true);
        subscriber = thread;
        thread.start();
        Thread heartbeat = new Thread(this::heartbeatLoop, name + "-heartbeat");
        heartbeat.setDaemon(true);
        heartbeat.start();
      }
    } finally {
      subscriberLock.unlock();
    }
    return true;
  }

  @Override
  public void unsubscribe(InvalidationListener<K> listener) {
    subscriberLock.lock();
    try {
      listeners.remove(listener);
    } finally {
      subscriberLock.unlock();
    }
  }

  /** Listeners subscribed now; for tests. */
  int listenerCount() {
    return listeners.size();
  }

  /**
   * Holds the subscription to both invalidation channels and the heartbeat, reconnecting with
   * back-off. A tagged message is delivered with its origin and remembered until its bare twin
   * arrives, which is then dropped; any other bare message comes from an earlier version and is
   * delivered without an origin. One script publishes both messages, so on a standalone server
   * the twin is the very next message; on a Cluster other nodes' messages may come between, so a
   * few are remembered. A bare message of the same key from someone else taken for the twin
   * costs nothing: the twin, delivered instead, invalidates the same key a moment later.
   */
  private void subscribeLoop() {
    long backoff = TimeUnit.MILLISECONDS.toNanos(20);
    while (!closed) {
      BinaryJedisPubSub current = new BinaryJedisPubSub() {
        /** Keys of tagged messages whose bare twin has not come yet; only the subscriber thread touches it. */
        private final ArrayDeque<byte[]> unmatched = new ArrayDeque<>();

        @Override
        public void onMessage(byte[] ch, byte[] message) {
          heard();
          if (Arrays.equals(ch, heartbeatChannel)) {
            return;
          }
          long origin = InvalidationListener.NO_ORIGIN;
          byte[] keyBytes = message;
          if (Arrays.equals(ch, taggedChannel)) {
            if (message.length < Long.BYTES) {
              LOG.warn("{} - ignoring a tagged invalidation of {} bytes", name, message.length);
              return;
            }
            origin = ByteBuffer.wrap(message).getLong();
            keyBytes = Arrays.copyOfRange(message, Long.BYTES, message.length);
            if (unmatched.size() == MAX_UNMATCHED_TWINS) {
              unmatched.pollFirst();
            }
            unmatched.addLast(keyBytes);
          } else if (removeTwin(unmatched, keyBytes)) {
            return;
          }
          K key;
          try {
            key = keyCodec.decode(keyBytes);
          } catch (RuntimeException e) {
            LOG.warn("{} - ignoring an undecodable invalidation: {}", name, e.toString());
            return;
          }
          long from = origin;
          listeners.forEach(l -> l.invalidated(key, from));
        }

        @Override
        public void onSubscribe(byte[] ch, int count) {
          lastHeard = System.nanoTime();
          subscriberLock.lock();
          try {
            subscribed = true;
            silent = false;
            listeners.forEach(InvalidationListener::reconnected);
          } finally {
            subscriberLock.unlock();
          }
        }

      };
      pubSub = current;
      try {
        jedis.subscribe(current, taggedChannel, channel, heartbeatChannel);
        backoff = TimeUnit.MILLISECONDS.toNanos(20);
      } catch (RuntimeException e) {
        if (closed) {
          return;
        }
        LOG.debug("{} - invalidation subscription lost: {}", name, e.toString());
      }
      if (closed) {
        return;
      }
      subscriberLock.lock();
      try {
        if (subscribed) {
          subscribed = false;
          if (!silent) {
            listeners.forEach(InvalidationListener::disconnected);
          }
          silent = false;
        }
      } finally {
        subscriberLock.unlock();
      }
      LockSupport.parkNanos(backoff);
      backoff = Math.min(backoff * 2, reconnectMaxNanos);
    }
  }

  private static boolean removeTwin(ArrayDeque<byte[]> unmatched, byte[] keyBytes) {
    for (Iterator<byte[]> it = unmatched.iterator(); it.hasNext(); ) {
      if (Arrays.equals(it.next(), keyBytes)) {
        it.remove();
        return true;
      }
    }
    return false;
  }

  /**
   * The subscription answered (a message or a pong). If it had gone silent, the listeners hear
   * it is back, which clears what the near cache holds: invalidations may have been missed.
   */
  private void heard() {
    lastHeard = System.nanoTime();
    if (silent) {
      subscriberLock.lock();
      try {
        if (silent && subscribed) {
          silent = false;
          LOG.info("{} - the invalidation subscription answers again", name);
          listeners.forEach(InvalidationListener::reconnected);
        }
      } finally {
        subscriberLock.unlock();
      }
    }
  }

  /**
   * Every {@code heartbeatNanos}, publishes to this backend's own heartbeat channel, which its
   * subscription also listens to, and reports the subscription lost when nothing came through it
   * for three intervals. A frozen or partitioned server sends no RST, and Jedis reads a
   * subscription with no timeout: without this, the near cache would never learn that it misses
   * invalidations. The heartbeat goes through the server and back, on a pooled connection, so
   * the subscription's own connection is only ever used by its reader.
   */
  private void heartbeatLoop() {
    while (!closed) {
      LockSupport.parkNanos(heartbeatNanos);
      BinaryJedisPubSub current = pubSub;
      if (closed || current == null || !subscribed) {
        continue;
      }
      try {
        jedis.publish(heartbeatChannel, HEARTBEAT);
      } catch (RuntimeException e) {
        LOG.debug("{} - heartbeat publish failed: {}", name, e.toString());
      }
      if (System.nanoTime() - lastHeard > 3 * heartbeatNanos && !silent) {
        subscriberLock.lock();
        try {
          if (subscribed && !silent) {
            silent = true;
            LOG.warn("{} - the invalidation subscription has not answered for {} ms; treating it as lost",
                name, TimeUnit.NANOSECONDS.toMillis(3 * heartbeatNanos));
            listeners.forEach(InvalidationListener::disconnected);
          }
        } finally {
          subscriberLock.unlock();
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    BinaryJedisPubSub current = pubSub;
    if (current != null) {
      try {
        current.unsubscribe();
      } catch (RuntimeException e) {
        LOG.debug("{} - unsubscribe failed: {}", name, e.toString());
      }
    }
    Thread thread = subscriber;
    if (thread != null) {
      thread.interrupt();
    }
  }

  CircuitBreaker.State circuit() {
    return breaker.state();
  }

  @Override
  public String toString() {
    return name;
  }
}
