package io.scaleblocks.sharding;

import io.scaleblocks.config.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one task on every shard in parallel and gathers the answers, within a deadline.
 *
 * <p>A shard whose task throws, or has not answered by the deadline, has failed; its task is
 * then cancelled with an interrupt, which ends a task waiting in the queue or in an interruptible
 * wait, but not a blocking socket read (a JDBC query): such a task keeps its thread until the
 * driver gives up, so give shard connections a socket timeout (PostgreSQL's
 * {@code socketTimeout}, in seconds) and statements a query timeout ({@link
 * io.scaleblocks.sharding.jdbc.ShardQueries}' {@code queryTimeoutSeconds}). The own pool has at
 * most {@code maxThreads} threads (default {@value #DEFAULT_MAX_THREADS}), so hung shards cannot
 * make it grow without bound: once they hold every thread, further tasks wait in the queue and
 * fail at their deadline. The {@link PartialFailurePolicy} decides what a failure means:
 * {@link PartialFailurePolicy#FAIL} throws a {@link ScatterGatherException} naming every failed
 * shard; {@link PartialFailurePolicy#PARTIAL} gathers the shards that answered and names the
 * others in the {@link Result}. Thread-safe; shards are read from the topology supplier on each
 * call. Close it to stop its own thread pool (an executor passed in is the caller's).
 *
 * @param <R> the shards' resource type
 */
public final class ScatterGather<R> implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ScatterGather.class);

  /** What a shard failure means to the caller. */
  public enum PartialFailurePolicy {
    /** Any failed shard fails the whole call. */
    FAIL,
    /** Answer with the shards that succeeded and name the ones that failed. */
    PARTIAL
  }

  /** Work on one shard; returns that shard's rows. */
  @FunctionalInterface
  public interface ShardTask<R, T> {
    List<T> run(Shard<R> shard) throws Exception;

    /**
     * Runs on {@code shard} as one of the shards of {@code queried}, the topology snapshot the
     * scatter-gather took its shard list from (empty over a fixed list of shards); by default
     * {@link #run(Shard)}. A task that judges rows by placement ({@code ShardQueries.owned}) uses
     * it, so a router switch during the call does not change which shard owns a row.
     */
    default List<T> run(Shard<R> shard, Optional<ShardTopology<R>> queried) throws Exception {
      return run(shard);
    }
  }

  /**
   * A gathered answer.
   *
   * @param value the combined answer of the shards that answered
   * @param failures the shards that did not, by id, with why
   * @param elapsed wall time from scatter to gather
   */
  public record Result<A>(A value, Map<String, Throwable> failures, Duration elapsed) {
    public Result {
      failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
    }

    /** Whether every shard answered. */
    public boolean complete() {
      return failures.isEmpty();
    }
  }

  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(5);
  public static final PartialFailurePolicy DEFAULT_POLICY = PartialFailurePolicy.FAIL;
  /** Threads of the own pool. */
  public static final int DEFAULT_MAX_THREADS = 16;
  /** How often a call over a router runs again because the routing changed while it ran. */
  static final int MAX_RERUNS = 2;

  private final String name;
  private final Supplier<Optional<ShardTopology<R>>> topology;
  private final Supplier<List<Shard<R>>> shards;
  private final Duration deadline;
  private final PartialFailurePolicy policy;
  private final ExecutorService executor;
  private final boolean ownsExecutor;

  private ScatterGather(Builder<R> b) {
    this.name = b.name;
    this.topology = b.topology;
    this.shards = b.shards;
    this.deadline = b.deadline;
    this.policy = b.policy;
    this.ownsExecutor = b.executor == null;
    this.executor = b.executor != null ? b.executor : boundedPool(b.name, b.maxThreads);
  }

  private static ExecutorService boundedPool(String name, int threads) {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), daemonThreads(name));
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  private static ThreadFactory daemonThreads(String name) {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Over the shards of {@code router}'s current topology at each call. */
  public static <R> Builder<R> over(ShardRouter<?, R> router) {
    Objects.requireNonNull(router, "router must not be null");
    return new Builder<>(() -> Optional.of(router.topology()), null);
  }

  /** Over a fixed list of shards. */
  public static <R> Builder<R> over(List<Shard<R>> shards) {
    List<Shard<R>> fixed = List.copyOf(Objects.requireNonNull(shards, "shards must not be null"));
    if (fixed.isEmpty()) {
      throw new IllegalArgumentException("scatter-gather needs at least one shard but was given none");
    }
    return new Builder<>(Optional::empty, () -> fixed);
  }

  /**
   * Runs {@code task} on every shard and combines the answers with {@code gather}. Over a router,
   * the shards are those of one topology snapshot; if the router's routing (shards, placement or
   * pins) has changed by the time they all answered, the call runs again on the new snapshot,
   * within the same deadline and at most twice more, so that rows a migration's
   * cleanup deleted meanwhile from a shard read under the old snapshot are not missed. A task
   * may therefore run more than once on a shard in one call: it must only read.
   *
   * @throws ScatterGatherException under {@link PartialFailurePolicy#FAIL} if any shard failed,
   *     or under {@link PartialFailurePolicy#PARTIAL} if every shard failed
   */
  public <T, A> Result<A> query(ShardTask<R, T> task, Gather<T, A> gather) {
    Objects.requireNonNull(task, "task must not be null");
    Objects.requireNonNull(gather, "gather must not be null");
    long start = System.nanoTime();
    long deadlineNanos = start + deadline.toNanos();
    // One snapshot per run: the shards queried and the placement tasks judge rows by.
    Optional<ShardTopology<R>> queried = topology.get();
    for (int rerun = 0; ; rerun++) {
      Result<A> result = queryOnce(task, gather, queried, start, deadlineNanos);
      Optional<ShardTopology<R>> now = topology.get();
      // A routing change while the shards answered (a migration's switch, then its cleanup)
      // may have deleted rows a shard read after it still owned by the old snapshot: the answer
      // is of no one topology. Run again on the new one, within the same deadline.
      if (queried.isEmpty() || now.orElseThrow().routesLike(queried.get())) {
        return result;
      }
      if (rerun == MAX_RERUNS || System.nanoTime() >= deadlineNanos) {
        LOG.warn("{} - the router's routing changed during each of {} runs; answering from v{}, now v{}",
            name, rerun + 1, queried.get().version(), now.get().version());
        return result;
      }
      LOG.info("{} - the router's routing changed from v{} to v{} while the shards answered; running"
          + " again", name, queried.get().version(), now.get().version());
      queried = now;
    }
  }

  private <T, A> Result<A> queryOnce(ShardTask<R, T> task, Gather<T, A> gather,
      Optional<ShardTopology<R>> queried, long start, long deadlineNanos) {
    List<Shard<R>> targets = queried.isPresent() ? queried.get().shards() : shards.get();
    List<Future<List<T>>> futures = new ArrayList<>(targets.size());
    for (Shard<R> shard : targets) {
      futures.add(executor.submit(() -> task.run(shard, queried)));
    }
    List<List<T>> answers = new ArrayList<>(targets.size());
    Map<String, Throwable> failures = new LinkedHashMap<>();
    for (int i = 0; i < targets.size(); i++) {
      Shard<R> shard = targets.get(i);
      Future<List<T>> future = futures.get(i);
      try {
        List<T> rows = future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        answers.add(rows == null ? List.of() : rows);
      } catch (TimeoutException e) {
        future.cancel(true);
        failures.put(shard.id(), new TimeoutException(
            "shard '" + shard.id() + "' did not answer within " + deadline));
      } catch (ExecutionException e) {
        failures.put(shard.id(), e.getCause());
      } catch (CancellationException e) {
        failures.put(shard.id(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        futures.forEach(f -> f.cancel(true));
        throw new ScatterGatherException(name + " - interrupted while gathering", Map.of());
      }
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    if (!failures.isEmpty()) {
      LOG.warn("{} - shards {} failed: {}", name, failures.keySet(), failures.values());
      if (policy == PartialFailurePolicy.FAIL || answers.isEmpty()) {
        throw new ScatterGatherException(name + " - shards " + failures.keySet() + " failed "
            + (answers.isEmpty() ? "(all of them)" : "under policy FAIL"), failures);
      }
    }
    return new Result<>(gather.combine(answers), failures, elapsed);
  }

  @Override
  public void close() {
    if (ownsExecutor) {
      executor.shutdownNow();
    }
  }

  /** Configures a scatter-gather; setters validate. Not thread-safe. */
  public static final class Builder<R> {
    private final Supplier<Optional<ShardTopology<R>>> topology;
    private final Supplier<List<Shard<R>>> shards;
    private Duration deadline = DEFAULT_DEADLINE;
    private PartialFailurePolicy policy = DEFAULT_POLICY;
    private ExecutorService executor;
    private int maxThreads = DEFAULT_MAX_THREADS;
    private String name = "scatter-gather";

    private Builder(Supplier<Optional<ShardTopology<R>>> topology, Supplier<List<Shard<R>>> shards) {
      this.topology = topology;
      this.shards = shards;
    }

    /** How long the slowest shard may take; default 5 s. */
    public Builder<R> deadline(Duration timeout) {
      Objects.requireNonNull(timeout, "deadline must not be null");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("deadline must be > 0 but was " + timeout);
      }
      this.deadline = timeout;
      return this;
    }

    public Builder<R> partialFailure(PartialFailurePolicy failurePolicy) {
      this.policy = Objects.requireNonNull(failurePolicy, "partialFailure must not be null");
      return this;
    }

    /** Runs shard tasks here instead of on an own bounded pool of daemon threads. */
    public Builder<R> executor(ExecutorService shardExecutor) {
      this.executor = Objects.requireNonNull(shardExecutor, "executor must not be null");
      return this;
    }

    /** Threads of the own pool (unused with {@link #executor}); default {@value #DEFAULT_MAX_THREADS}. */
    public Builder<R> maxThreads(int threads) {
      if (threads < 1 || threads > 10_000) {
        throw new IllegalArgumentException("maxThreads must be between 1 and 10000 but was " + threads);
      }
      this.maxThreads = threads;
      return this;
    }

    public Builder<R> name(String instanceName) {
      this.name = Objects.requireNonNull(instanceName, "name must not be null");
      return this;
    }

    /**
     * Applies the settings present in {@code settings} by the {@link Settings} convention:
     * {@code deadline} (1ms..1h, {@code 2s} or {@code PT2S}), {@code partial-failure}
     * ({@code fail}/{@code partial}), {@code max-threads} (1..10000).
     *
     * @throws IllegalArgumentException naming the key for an unknown key or a bad value
     */
    public Builder<R> from(Map<String, ?> settings) {
      Settings s = Settings.of(name, settings);
      deadline(s.duration("deadline", Duration.ofMillis(1), Duration.ofHours(1), deadline));
      partialFailure(s.enumValue("partial-failure", PartialFailurePolicy.class, policy));
      maxThreads(s.intValue("max-threads", 1, 10_000, maxThreads));
      s.done();
      return this;
    }

    public ScatterGather<R> build() {
      return new ScatterGather<>(this);
    }
  }
}
