package io.scaleblocks.replication;

import com.zaxxer.hikari.metrics.IMetricsTracker;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.PoolStats;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The metrics of one node's pool and of every pool that replaces it, under the one pool name
 * they share. A pool replacing another gets its tracker only after the replaced pool's tracker
 * is closed: the meters of both have the same names and tags, so a registry such as Micrometer's
 * would hand the new pool the old pool's meters (reading the old pool's statistics), and the old
 * pool's close, which comes later on a thread of its own, would then remove them. A closed
 * tracker records nothing and closes its delegate once. Thread-safe.
 */
final class RenewedPoolMetrics implements MetricsTrackerFactory {

  private final MetricsTrackerFactory delegate;
  private final AtomicReference<Tracker> current = new AtomicReference<>();

  RenewedPoolMetrics(MetricsTrackerFactory delegate) {
    this.delegate = delegate;
  }

  @Override
  public IMetricsTracker create(String poolName, PoolStats poolStats) {
    Tracker replaced = current.getAndSet(null);
    if (replaced != null) {
      replaced.close();
    }
    Tracker tracker = new Tracker(delegate.create(poolName, poolStats));
    current.set(tracker);
    return tracker;
  }

  private static final class Tracker implements IMetricsTracker {

    private final IMetricsTracker delegate;
    private final AtomicBoolean closed = new AtomicBoolean();

    Tracker(IMetricsTracker delegate) {
      this.delegate = delegate;
    }

    @Override
    public void recordConnectionCreatedMillis(long connectionCreatedMillis) {
      if (!closed.get()) {
        delegate.recordConnectionCreatedMillis(connectionCreatedMillis);
      }
    }

    @Override
    public void recordConnectionAcquiredNanos(long elapsedAcquiredNanos) {
      if (!closed.get()) {
        delegate.recordConnectionAcquiredNanos(elapsedAcquiredNanos);
      }
    }

    @Override
    public void recordConnectionUsageMillis(long elapsedBorrowedMillis) {
      if (!closed.get()) {
        delegate.recordConnectionUsageMillis(elapsedBorrowedMillis);
      }
    }

    @Override
    public void recordConnectionTimeout() {
      if (!closed.get()) {
        delegate.recordConnectionTimeout();
      }
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        delegate.close();
      }
    }
  }
}
