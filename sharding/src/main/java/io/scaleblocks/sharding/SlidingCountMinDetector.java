package io.scaleblocks.sharding;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link HotKeyDetector} over a count-min sketch of an exact sliding window; see the interface.
 *
 * <p>Every access adds one to four counters and, once the window is full, subtracts the access it
 * pushes out of the window (kept in a ring of hashes), so the sketch always counts exactly the
 * last N accesses. A key becomes a candidate at an access that finds its estimate at or above the
 * hot threshold; reports check the candidates only (and drop those that cooled), so nothing scans
 * the sketch.
 */
/*
 * G. Cormode, S. Muthukrishnan, "An Improved Data Stream Summary: The Count-Min Sketch and its
 * Applications", J. Algorithms 2005: with d rows of w counters an estimate exceeds the true count
 * by more than e*N/w with probability at most e^-d. Heavy hitters via a sketch plus a candidate
 * set, as in section 5.1 of that paper; the window uses the "sketch with expiry ring" idea of
 * exact sliding windows.
 */
final class SlidingCountMinDetector<K> implements HotKeyDetector<K> {

  private static final Logger LOG = LoggerFactory.getLogger(SlidingCountMinDetector.class);
  private static final HashFunction KEY_HASH = Hashing.murmur3();
  private static final int DEPTH = 4;
  private static final int KNOWN_CANDIDATE_SLOTS = 256;
  private static final VarHandle BUSY;
  private static final VarHandle DROPPED;

  static {
    try {
      BUSY = MethodHandles.lookup().findVarHandle(SlidingCountMinDetector.class, "busy", int.class);
      DROPPED = MethodHandles.lookup().findVarHandle(SlidingCountMinDetector.class, "dropped", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final int window;
  private final double share;
  private final int reportEvery;
  private final int mask;
  private final int rowShift;
  private final int[] counters;
  private final long[] ring;
  private final int fullThreshold;
  /** Hashes of keys known to be candidates, so a hot key does not look itself up every time. */
  private final long[] knownCandidates = new long[KNOWN_CANDIDATE_SLOTS];
  /** By {@linkplain #identity content identity}: each candidate once, however it arrives. */
  private final Map<Object, Candidate<K>> candidates = new ConcurrentHashMap<>();
  private final HotKeyDetector.Listener<K> listener;
  private final ReentrantLock reportLock = new ReentrantLock();
  /** Guarded by {@code reportLock}. */
  private Map<Object, K> reportedHot = Map.of();

  @SuppressWarnings("unused") // through BUSY
  private volatile int busy;
  private long recorded;
  private volatile long dropped;
  private int slot;
  private int untilReport;

  SlidingCountMinDetector(HotKeyDetector.Builder<K> builder) {
    this.window = builder.window;
    this.share = builder.share;
    this.reportEvery = builder.reportEvery;
    this.mask = builder.sketchWidth - 1;
    this.rowShift = Integer.numberOfTrailingZeros(builder.sketchWidth);
    this.counters = new int[DEPTH << rowShift];
    this.ring = new long[window];
    this.fullThreshold = threshold(window);
    this.listener = builder.listener;
    this.untilReport = reportEvery;
  }

  /** A candidate: the key as first recorded and its mixed hash. */
  private record Candidate<K>(K key, long hash) {}

  /**
   * The key as the candidates compare it, by the same content its hash is taken over: a
   * {@code byte[]} by its bytes, other text than a {@code String} by its string, anything else as
   * it is. A request handler often gets the same key as a fresh array each time.
   */
  static Object identity(Object key) {
    if (key instanceof byte[] bytes) {
      return new ContentBytes(bytes);
    }
    if (key instanceof CharSequence text && !(key instanceof String)) {
      return text.toString();
    }
    return key;
  }

  /**
   * The key as a candidate keeps it: a {@code byte[]} copied, since callers often record one
   * reused buffer, whose later contents would otherwise rename the candidate and change its hash
   * code inside the map.
   */
  @SuppressWarnings("unchecked")
  private static <K> K kept(K key) {
    return key instanceof byte[] bytes ? (K) bytes.clone() : key;
  }

  /** A byte array compared by content. */
  private record ContentBytes(byte[] value) {
    @Override
    public boolean equals(Object other) {
      return other instanceof ContentBytes b && Arrays.equals(value, b.value);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return Arrays.toString(value);
    }
  }

  @Override
  public void record(K key) {
    record(key, keyHash(Objects.requireNonNull(key, "key must not be null")));
  }

  /** A 64-bit hash of text, whole numbers and bytes by content; other keys by {@code hashCode}. */
  static long keyHash(Object key) {
    if (key instanceof CharSequence text) {
      return KEY_HASH.hash(text);
    }
    if (key instanceof Long || key instanceof Integer || key instanceof Short || key instanceof Byte) {
      return KEY_HASH.hash(((Number) key).longValue());
    }
    if (key instanceof byte[] bytes) {
      return KEY_HASH.hash(bytes);
    }
    return Hashing.mix(key.hashCode());
  }

  @Override
  public void record(K key, long keyHash) {
    Objects.requireNonNull(key, "key must not be null");
    boolean due = false;
    if (!BUSY.compareAndSet(this, 0, 1)) {
      // Another thread is recording this instant: drop the access rather than wait. Drops do
      // not depend on the key, so shares stay unbiased.
      DROPPED.getAndAdd(this, 1L);
      return;
    }
    try {
      long h = Hashing.mix(keyHash) | 1;
      int s = slot;
      long expired = ring[s];
      ring[s] = h;
      slot = s + 1 == window ? 0 : s + 1;
      int estimate = expired != 0 ? addAndExpire(h, expired) : add(h, 1);
      long count = recorded + 1;
      recorded = count;
      int threshold = count >= window ? fullThreshold : threshold(count);
      if (estimate >= threshold) {
        int c = (int) h & (KNOWN_CANDIDATE_SLOTS - 1);
        if (knownCandidates[c] != h) {
          K kept = kept(key);
          candidates.putIfAbsent(identity(kept), new Candidate<>(kept, h));
          knownCandidates[c] = h;
        }
      }
      if (--untilReport == 0) {
        untilReport = reportEvery;
        dropCooledCandidates();
        due = listener != null;
      }
    } finally {
      BUSY.setRelease(this, 0);
    }
    if (due) {
      report();
    }
  }

  /**
   * Forgets the candidates that fell below the threshold. Runs on the recording thread inside
   * {@code BUSY}, the only place that changes the candidates and their cache, so a key is never
   * left cached as a candidate after it was dropped.
   */
  private void dropCooledCandidates() {
    int threshold = threshold(windowCount());
    boolean dropped = false;
    for (Map.Entry<Object, Candidate<K>> candidate : candidates.entrySet()) {
      if (estimate(candidate.getValue().hash()) < threshold) {
        candidates.remove(candidate.getKey(), candidate.getValue());
        dropped = true;
      }
    }
    if (dropped) {
      Arrays.fill(knownCandidates, 0);
    }
  }

  /** Adds one for {@code h} and subtracts one for {@code expired}; returns h's estimate. */
  private int addAndExpire(long h, long expired) {
    int min = Integer.MAX_VALUE;
    for (int row = 0; row < DEPTH; row++) {
      int base = row << rowShift;
      counters[base | (int) (expired >>> (16 * row)) & mask]--;
      int value = ++counters[base | (int) (h >>> (16 * row)) & mask];
      min = Math.min(min, value);
    }
    return min;
  }

  private int add(long h, int delta) {
    int min = Integer.MAX_VALUE;
    for (int row = 0; row < DEPTH; row++) {
      int index = (row << rowShift) | (int) (h >>> (16 * row)) & mask;
      int value = counters[index] += delta;
      min = Math.min(min, value);
    }
    return min;
  }

  private int estimate(long h) {
    int min = Integer.MAX_VALUE;
    for (int row = 0; row < DEPTH; row++) {
      min = Math.min(min, counters[(row << rowShift) | (int) (h >>> (16 * row)) & mask]);
    }
    return min;
  }

  private int threshold(long windowCount) {
    return (int) Math.max(1, Math.ceil(share * windowCount));
  }

  @Override
  public long droppedAccesses() {
    return dropped;
  }

  @Override
  public long windowCount() {
    return Math.min(recorded, window);
  }

  @Override
  public List<HotKey<K>> hotKeys() {
    long total = windowCount();
    int threshold = threshold(total);
    List<HotKey<K>> hot = new ArrayList<>();
    for (Candidate<K> candidate : candidates.values()) {
      int count = estimate(candidate.hash());
      if (count >= threshold) {
        hot.add(new HotKey<>(candidate.key(), count, (double) count / total));
      }
    }
    hot.sort(Comparator.comparingLong((HotKey<K> k) -> k.count()).reversed());
    return hot;
  }

  /**
   * Tells the listener what turned hot and what cooled since the last report. Runs after the
   * recording is done, outside {@code BUSY}; one report at a time (a report due while another
   * runs is skipped: the next one catches up). What the listener throws is logged.
   */
  private void report() {
    if (!reportLock.tryLock()) {
      return;
    }
    try {
      List<HotKey<K>> hot = hotKeys();
      Map<Object, K> before = reportedHot;
      Map<Object, K> now = new HashMap<>();
      hot.forEach(key -> now.put(identity(key.key()), key.key()));
      // Published before the listener runs, so a listener that fails fatally cannot make the
      // next report announce the same keys again.
      reportedHot = now;
      for (HotKey<K> key : hot) {
        if (!before.containsKey(identity(key.key()))) {
          notify(key.key(), () -> listener.becameHot(key));
        }
      }
      for (Map.Entry<Object, K> was : before.entrySet()) {
        K key = was.getValue();
        if (!now.containsKey(was.getKey())) {
          notify(key, () -> listener.cooledDown(key));
        }
      }
    } finally {
      reportLock.unlock();
    }
  }

  private static void notify(Object key, Runnable call) {
    try {
      call.run();
    } catch (Throwable e) {
      LOG.warn("hot-key listener failed for key {}", key, e);
      rethrowIfFatal(e);
    }
  }

  /** Rethrows what the VM cannot recover from; a stack overflow in a listener is its own. */
  private static void rethrowIfFatal(Throwable failure) {
    if (failure instanceof VirtualMachineError fatal && !(fatal instanceof StackOverflowError)) {
      throw fatal;
    }
  }
}
