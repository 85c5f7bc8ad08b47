package io.scaleblocks.queue.internal;

import io.scaleblocks.queue.QueueStats;
import java.util.concurrent.atomic.LongAdder;

/** The counters behind {@link QueueStats}, cheap to bump from any thread. Not API. */
public final class QueueCounters {

  public final LongAdder published = new LongAdder();
  public final LongAdder delivered = new LongAdder();
  public final LongAdder redelivered = new LongAdder();
  public final LongAdder acked = new LongAdder();
  public final LongAdder deadLettered = new LongAdder();
  public final LongAdder fsyncs = new LongAdder();
  public final LongAdder fsyncNanos = new LongAdder();
  public final LongAdder fsyncRecords = new LongAdder();

  public QueueStats snapshot() {
    return new QueueStats(published.sum(), delivered.sum(), redelivered.sum(), acked.sum(),
        deadLettered.sum(), fsyncs.sum(), fsyncNanos.sum(), fsyncRecords.sum());
  }
}
