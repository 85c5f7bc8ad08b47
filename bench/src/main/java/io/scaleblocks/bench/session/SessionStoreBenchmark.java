package io.scaleblocks.bench.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Scheduler;
import io.scaleblocks.session.Session;
import io.scaleblocks.session.SessionAttribute;
import io.scaleblocks.session.SessionStore;
import io.scaleblocks.session.SessionStores;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * One request's session work, two threads: find a session by id (which touches it), set one
 * attribute, save. {@code inMemory} is the in-memory store (a concurrent map of immutable
 * records swapped by a compare-and-set, expired by the read that finds them and a background sweep,
 * per-attribute versions, the rotation guard);
 * {@code caffeineMap} is the floor: a bare Caffeine cache whose value is a copied attribute map,
 * read and replaced by {@code put}, with no expiry, versions or codec; {@code caffeineDeadline}
 * is that floor with the store's kind of expiry (a deadline per entry on a ticker, which puts
 * every read and write through Caffeine's buffers and timer wheel), to tell what the store adds
 * from what expiry itself costs. Each thread writes its own attribute, as concurrent requests on
 * one session do, over 10,000 live sessions, on as many threads as the reference machine has
 * cores (2).
 */
@State(Scope.Benchmark)
@Threads(2)
public class SessionStoreBenchmark {

  private static final int SESSIONS = 10_000;

  @Param({"inMemory", "caffeineMap", "caffeineDeadline"})
  String impl;

  String[] ids;
  SessionStore store;
  Cache<String, Map<String, byte[]>> floor;
  boolean inMemory;

  /** Each thread's own attribute and position. */
  @State(Scope.Thread)
  public static class Request {
    private static final AtomicInteger THREADS = new AtomicInteger();
    final SessionAttribute<Long> attribute = SessionAttribute.longValue("t" + THREADS.getAndIncrement());
    final String name = attribute.name();
    int next = ThreadLocalRandom.current().nextInt(SESSIONS);
    long value;
  }

  @Setup
  public void setUp() {
    ids = new String[SESSIONS];
    store = SessionStores.inMemory().build();
    inMemory = impl.equals("inMemory");
    floor = impl.equals("caffeineDeadline") ? deadlineCache() : Caffeine.newBuilder().build();
    for (int i = 0; i < SESSIONS; i++) {
      Session s = store.create();
      s.set(SessionAttribute.string("user"), "user-" + i);
      store.save(s);
      ids[i] = s.id();
      Map<String, byte[]> attributes = new HashMap<>();
      attributes.put("user", ("user-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      floor.put(s.id(), Map.copyOf(attributes));
    }
  }

  @Benchmark
  @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
  public Object findAndSave(Request r) {
    String id = ids[r.next++ % SESSIONS];
    long value = ++r.value;
    if (inMemory) {
      Session s = store.find(id).orElseThrow();
      s.set(r.attribute, value);
      store.save(s);
      return s;
    }
    Map<String, byte[]> current = floor.getIfPresent(id);
    Map<String, byte[]> next = new HashMap<>(current);
    next.put(r.name, java.nio.ByteBuffer.allocate(8).putLong(value).array());
    floor.put(id, Map.copyOf(next));
    return next;
  }

  /** Every entry expires 30 minutes after its last write, set per entry as the store sets deadlines. */
  private static Cache<String, Map<String, byte[]>> deadlineCache() {
    long idle = TimeUnit.MINUTES.toNanos(30);
    return Caffeine.newBuilder()
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis()))
        .expireAfter(Expiry.<String, Map<String, byte[]>>writing((key, value) -> Duration.ofNanos(idle)))
        .scheduler(Scheduler.systemScheduler())
        .build();
  }
}
