package io.scaleblocks.sharding.jdbc;

import io.scaleblocks.sharding.ShardRouter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * The deadline of one cutover attempt, enforced by the caller rather than trusted to the
 * database: statements run through {@link #guard} get a query timeout of the time left (whole
 * seconds, JDBC's unit), and at the deadline a timer cancels those still running
 * ({@link Statement#cancel}) and closes the write pause, whatever the migrating thread is stuck
 * in. The switch and the timer race for the attempt through {@link #claimSwitch}: once the timer
 * has released writes the attempt can no longer switch; once the switch has claimed it, the timer
 * does nothing. Thread-safe.
 */
final class PauseDeadline implements AutoCloseable {

  private static final int ACTIVE = 0;
  private static final int SWITCHING = 1;
  private static final int EXPIRED = 2;

  private final long deadlineNanos;
  private final ShardRouter.WritePause pause;
  private final long pauseStartNanos;
  private final AtomicInteger state = new AtomicInteger(ACTIVE);
  private final AtomicLong heldNanos = new AtomicLong(-1);
  private final Set<Statement> running = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService timer;

  /**
   * @param deadlineNanos a {@link System#nanoTime} at which writes are released
   * @param pause the pause this attempt holds
   */
  PauseDeadline(String name, long deadlineNanos, ShardRouter.WritePause pause) {
    this.deadlineNanos = deadlineNanos;
    this.pause = pause;
    this.pauseStartNanos = System.nanoTime() - pause.heldNanos();
    this.timer = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, name + "-pause-deadline");
      thread.setDaemon(true);
      return thread;
    });
    timer.schedule(this::expire, Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  /** Whether the deadline passed and writes were released before the switch claimed them. */
  boolean expired() {
    return state.get() == EXPIRED;
  }

  /** True if the attempt may switch: the deadline has not released writes, and now will not. */
  boolean claimSwitch() {
    return state.compareAndSet(ACTIVE, SWITCHING);
  }

  private void expire() {
    if (state.compareAndSet(ACTIVE, EXPIRED)) {
      release();
      for (Statement statement : running) {
        try {
          statement.cancel();
        } catch (SQLException | RuntimeException ignored) {
          // The statement may have finished meanwhile; the pause is released either way.
        }
      }
    }
  }

  /** Closes the pause (once); returns how long it held writes. */
  long release() {
    if (heldNanos.compareAndSet(-1, System.nanoTime() - pauseStartNanos)) {
      pause.close();
    }
    return heldNanos.get();
  }

  /** {@code shard}, whose statements are bounded by this deadline. */
  DataSource guard(DataSource shard) {
    return (DataSource) Proxy.newProxyInstance(PauseDeadline.class.getClassLoader(),
        new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
          if (method.getName().equals("getConnection")) {
            return guard((Connection) invoke(method, shard, args));
          }
          return invoke(method, shard, args);
        });
  }

  private Connection guard(Connection connection) {
    return (Connection) Proxy.newProxyInstance(PauseDeadline.class.getClassLoader(),
        new Class<?>[] {Connection.class}, (proxy, method, args) -> {
          Object result = invoke(method, connection, args);
          if (result instanceof Statement statement) {
            return guard(statement, method.getReturnType());
          }
          return result;
        });
  }

  private Object guard(Statement statement, Class<?> type) throws SQLException {
    long left = deadlineNanos - System.nanoTime();
    // JDBC's timeout is in whole seconds and 0 means none: at least 1; the timer does the rest.
    statement.setQueryTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toSeconds(left) + 1)));
    running.add(statement);
    if (expired()) {
      statement.cancel();
    }
    return Proxy.newProxyInstance(PauseDeadline.class.getClassLoader(), new Class<?>[] {type},
        (proxy, method, args) -> {
          if (method.getName().equals("close")) {
            running.remove(statement);
          }
          return invoke(method, statement, args);
        });
  }

  private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** Stops the timer; the pause is released if it was not yet. */
  @Override
  public void close() {
    timer.shutdownNow();
    release();
  }
}
