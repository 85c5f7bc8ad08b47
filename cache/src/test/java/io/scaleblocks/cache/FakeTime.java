package io.scaleblocks.cache;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A ticker and a wall clock that move only when a test advances them. */
final class FakeTime extends Clock {

  private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);
  private static final long EPOCH_OFFSET_MILLIS = 1_700_000_000_000L;

  long nanoTime() {
    return nanos.get();
  }

  void advance(Duration duration) {
    nanos.addAndGet(duration.toNanos());
  }

  void advanceNanos(long delta) {
    nanos.addAndGet(delta);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public long millis() {
    return EPOCH_OFFSET_MILLIS + nanos.get() / 1_000_000;
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }
}
