package io.scaleblocks.replication;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes every node each health interval and hands the outcomes to the router. Each node has
 * its own probe connection outside its pool, so an exhausted pool does not look like a dead
 * node, and its own probe thread, so a hung node delays no other. The monitor enforces the
 * probe timeout itself: a probe that has not answered within the timeout of its submission counts
 * as a failure, and a node whose probe is still running is not probed again until it returns (a
 * later poll that finds it running keeps its deadline, so one that outlived it is a failure at
 * once, whenever it answers). An interrupt of the polling thread says nothing about the nodes: it
 * ends the poll without applying anything, and the interrupt stays set. The primary is probed
 * before the replicas, so a replica compared with the primary's position is never compared with
 * an older one. A node that is down comes back at the first probe that answers and gets a
 * connection from its pool (replaced first when it is empty, see {@link Node#renewPoolIfEmpty});
 * a probe that answers while the pool gives none keeps its probe connection for the next poll.
 * The health interval and the probe timeout run on the router's {@link Scheduler}. After
 * {@link #close} a probe that was hanging and answers late opens nothing: its probe connection is
 * closed and the node's pool is not renewed. Thread-safe; one poll at a time.
 */
final class ReplicaLagMonitor implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ReplicaLagMonitor.class);

  private static final java.time.Duration FIRST_POLL_ALLOWANCE = java.time.Duration.ofSeconds(3);

  private final String name;
  private final List<Node> nodes;
  private final ReplicationConfig config;
  private final Supplier<Node> currentPrimary;
  private final java.util.function.Predicate<Node> isDown;
  private final Consumer<Map<Node, ProbeOutcome>> sink;
  private final ExecutorService probes;
  private final Scheduler scheduler;
  private final Map<Node, Probe> running = new ConcurrentHashMap<>();
  private final Map<Node, Connection> probeConnections = new ConcurrentHashMap<>();
  private final ReentrantLock pollLock = new ReentrantLock();
  private final java.util.concurrent.atomic.AtomicBoolean soon = new java.util.concurrent.atomic.AtomicBoolean();
  private volatile boolean closed;

  /** A submitted probe: it counts as no answer once {@code deadlineNanos} passed. */
  private record Probe(Future<ProbeOutcome> future, long deadlineNanos, java.time.Duration timeout) {}

  ReplicaLagMonitor(String name, List<Node> nodes, ReplicationConfig config,
      Supplier<Node> currentPrimary, java.util.function.Predicate<Node> isDown,
      Consumer<Map<Node, ProbeOutcome>> sink, Scheduler scheduler) {
    this.name = name;
    this.currentPrimary = currentPrimary;
    this.isDown = isDown;
    this.nodes = nodes;
    this.config = config;
    this.sink = sink;
    AtomicInteger threads = new AtomicInteger();
    this.probes = Executors.newCachedThreadPool(task -> daemon(task, name + "-probe-" + threads.incrementAndGet()));
    this.scheduler = scheduler;
  }

  private static Thread daemon(Runnable task, String threadName) {
    Thread thread = new Thread(task, threadName);
    thread.setDaemon(true);
    return thread;
  }

  /** Polls every health interval of the scheduler's time, counted from the end of the last poll. */
  void start() {
    scheduler.scheduleWithFixedDelay(this::pollQuietly, config.healthInterval.toNanos());
  }

  /** Polls as soon as possible (a connection broke), once however often it is asked. */
  void pollSoon() {
    if (!closed && soon.compareAndSet(false, true)) {
      boolean queued = scheduler.execute(() -> {
        soon.set(false);
        pollQuietly();
      });
      if (!queued) {
        soon.set(false);
      }
    }
  }

  private void pollQuietly() {
    try {
      pollOnce();
    } catch (RuntimeException e) {
      log.warn("{} - health poll failed", name, e);
    }
  }

  /** Probes every node (the current primary first) and applies the outcomes. */
  void pollOnce() {
    pollOnce(config.probeTimeout);
  }

  /**
   * The first poll, at start: a first connection loads the driver and authenticates, which on a
   * cold JVM takes longer than a probe of an open connection should.
   */
  void firstPoll() {
    pollOnce(config.probeTimeout.plus(config.connectTimeout).plus(FIRST_POLL_ALLOWANCE));
  }

  private void pollOnce(java.time.Duration wait) {
    if (closed) {
      return;
    }
    pollLock.lock();
    try {
      Map<Node, ProbeOutcome> outcomes = new LinkedHashMap<>();
      Node primary = currentPrimary.get();
      if (primary != null) {
        outcomes.put(primary, await(submit(primary, wait)));
      }
      Map<Node, Probe> pending = new LinkedHashMap<>();
      for (Node node : nodes) {
        if (node != primary) {
          pending.put(node, submit(node, wait));
        }
      }
      for (Map.Entry<Node, Probe> entry : pending.entrySet()) {
        outcomes.put(entry.getKey(), await(entry.getValue()));
      }
      if (!closed) {
        sink.accept(outcomes);
      }
    } catch (InterruptedException e) {
      // The probes go on; the next poll waits for them until their own deadlines.
      log.debug("{} - health poll interrupted, nothing applied", name);
      Thread.currentThread().interrupt();
    } finally {
      pollLock.unlock();
    }
  }

  /** The probe of {@code node} still running, with the deadline of its submission, or a new one. */
  private Probe submit(Node node, java.time.Duration wait) {
    Probe previous = running.get(node);
    if (previous != null && !previous.future().isDone()) {
      return previous;
    }
    // The deadline is taken before the probe can start, so its whole run counts.
    long deadline = scheduler.nanoTime() + wait.toNanos();
    Probe probe = new Probe(probes.submit(() -> probe(node)), deadline, wait);
    running.put(node, probe);
    return probe;
  }

  private ProbeOutcome await(Probe probe) throws InterruptedException {
    try {
      return scheduler.awaitUntil(probe.future(), probe.deadlineNanos());
    } catch (TimeoutException e) {
      return new ProbeOutcome.Failed("no answer within " + probe.timeout().toMillis() + " ms");
    } catch (ExecutionException e) {
      return new ProbeOutcome.Failed(String.valueOf(e.getCause()));
    }
  }

  private ProbeOutcome probe(Node node) {
    long start = scheduler.nanoTime();
    long symptoms = node.symptoms();
    Dialect.Probe probe;
    try {
      Connection c = probeConnections.get(node);
      if (c == null) {
        c = open(node);
        probeConnections.put(node, c);
        if (closed) {
          // close() may have missed it: it cleared the connections before this one came
          closeQuietly(probeConnections.remove(node));
          return new ProbeOutcome.Failed("the monitor is closed");
        }
      }
      probe = node.dialect.probe(c);
    } catch (SQLException | RuntimeException e) {
      closeQuietly(probeConnections.remove(node));
      return new ProbeOutcome.Failed(messageOf(e));
    }
    if (closed) {
      return new ProbeOutcome.Failed("the monitor is closed");
    }
    if (isDown.test(node)) {
      // The probe connection is not the pool: a node comes back only once its pool has a
      // connection again, or the first reads would fail over and mark it down once more.
      long answered = scheduler.nanoTime();
      try {
        boolean renewed = node.renewPoolIfEmpty();
        node.connect().close();
        log.debug("{} - {} answers again: probe {} ms, {}pool connection {} ms", name, node.label(),
            (answered - start) / 1_000_000, renewed ? "new " : "",
            (scheduler.nanoTime() - answered) / 1_000_000);
      } catch (SQLException | RuntimeException e) {
        // The probe connection still works: it is kept for the next probe.
        log.debug("{} - {} answers, but its pool gave no connection after {} ms: {}", name,
            node.label(), (scheduler.nanoTime() - answered) / 1_000_000, messageOf(e));
        return new ProbeOutcome.Failed("answers, but its pool gave no connection: " + messageOf(e));
      }
    }
    return new ProbeOutcome.Answered(probe, symptoms);
  }

  private static String messageOf(Exception e) {
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  /** A connection outside the node's pool, with the pool's credentials and properties. */
  private Connection open(Node node) throws SQLException {
    Connection c;
    if (node.spec.url().isPresent()) {
      Properties properties = new Properties();
      properties.putAll(config.hikari.getDataSourceProperties());
      if (config.hikari.getUsername() != null) {
        properties.setProperty("user", config.hikari.getUsername());
      }
      if (config.hikari.getPassword() != null) {
        properties.setProperty("password", config.hikari.getPassword());
      }
      c = DriverManager.getConnection(node.spec.url().get(), properties);
    } else {
      c = node.connect();
    }
    try {
      c.setAutoCommit(true);
      c.setNetworkTimeout(probes, (int) Math.min(Integer.MAX_VALUE, config.probeTimeout.toMillis()));
    } catch (SQLException | RuntimeException e) {
      closeQuietly(c);
      throw e;
    }
    return c;
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException | RuntimeException ignored) {
        // the connection is being discarded because it failed
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    scheduler.close();
    pollLock.lock();
    try {
      probes.shutdownNow();
      probeConnections.values().forEach(ReplicaLagMonitor::closeQuietly);
      probeConnections.clear();
    } finally {
      pollLock.unlock();
    }
  }
}
