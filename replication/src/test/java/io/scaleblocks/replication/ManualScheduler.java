package io.scaleblocks.replication;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Time the test moves, as the router's {@link Scheduler} and as its {@link Clock}. Scheduled
 * tasks run on the thread that calls {@link #advance} or {@link #sleep}, at the time they are
 * due, so a sleep returns at once; {@link #pass} moves the time only. {@link #awaitUntil} waits
 * for the future in real time (a probe on an in-memory database) and counts it as timed out when
 * this time is past the deadline: when the future is done (a probe that "takes" time moves it), or
 * while it is still running (a probe that hangs, and another thread moves the time).
 */
final class ManualScheduler extends Clock implements Scheduler {

  private static final Instant ORIGIN = Instant.parse("2026-01-01T00:00:00Z");

  private final ReentrantLock lock = new ReentrantLock();
  private final List<Task> tasks = new ArrayList<>();
  private volatile long now;
  private volatile Runnable onAwait = () -> { };

  private static final class Task {
    final Runnable body;
    final long delay;
    long due;

    Task(Runnable body, long delay, long due) {
      this.body = body;
      this.delay = delay;
      this.due = due;
    }
  }

  /** Moves the time by {@code duration}, running every task that falls due on the way. */
  void advance(Duration duration) {
    long target = now + duration.toNanos();
    while (true) {
      Task next = null;
      lock.lock();
      try {
        for (Task task : tasks) {
          if (task.due <= target && (next == null || task.due < next.due)) {
            next = task;
          }
        }
        if (next == null) {
          now = Math.max(now, target);
          return;
        }
        now = Math.max(now, next.due);
        tasks.remove(next);
      } finally {
        lock.unlock();
      }
      next.body.run();
      if (next.delay > 0) {
        lock.lock();
        try {
          next.due = now + next.delay;
          tasks.add(next);
        } finally {
          lock.unlock();
        }
      }
    }
  }

  @Override
  public long nanoTime() {
    return now;
  }

  /** Moves the time by {@code duration} without running anything (a call that takes that long). */
  void pass(Duration duration) {
    lock.lock();
    try {
      now += duration.toNanos();
    } finally {
      lock.unlock();
    }
  }

  /** Runs {@code action} once, {@code delay} from now. */
  void schedule(Duration delay, Runnable action) {
    add(new Task(action, 0, now + delay.toNanos()));
  }

  /** The sleeper's time passes: whatever falls due meanwhile runs, on the sleeper's thread. */
  @Override
  public void sleep(long nanos) {
    advance(Duration.ofNanos(nanos));
  }

  @Override
  public void scheduleWithFixedDelay(Runnable task, long delayNanos) {
    add(new Task(task, delayNanos, now + delayNanos));
  }

  @Override
  public boolean execute(Runnable task) {
    return add(new Task(task, 0, now));
  }

  private boolean add(Task task) {
    lock.lock();
    try {
      tasks.add(task);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Runs {@code action} on the waiting thread each time {@link #awaitUntil} begins a wait. */
  void onAwait(Runnable action) {
    onAwait = action;
  }

  @Override
  public <T> T awaitUntil(Future<T> future, long deadlineNanos)
      throws InterruptedException, ExecutionException, TimeoutException {
    onAwait.run();
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        T value = future.get(5, TimeUnit.MILLISECONDS);
        if (now > deadlineNanos) {
          throw new TimeoutException();
        }
        return value;
      } catch (TimeoutException stillRunning) {
        if (now > deadlineNanos || System.nanoTime() > giveUp) {
          throw stillRunning;
        }
      }
    }
  }

  /** Drops the scheduled tasks; the test may hand this scheduler to another router after. */
  @Override
  public void close() {
    lock.lock();
    try {
      tasks.clear();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Instant instant() {
    return ORIGIN.plusNanos(now);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
