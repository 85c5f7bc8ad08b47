package io.scaleblocks.session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock the test moves forward; starts at the real time so that real servers' TTLs make sense. */
public final class MutableClock extends Clock {
  private final AtomicLong millis = new AtomicLong(System.currentTimeMillis());

  public MutableClock() {}

  public void advance(Duration by) {
    millis.addAndGet(by.toMillis());
  }

  @Override public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override public long millis() {
    return millis.get();
  }

  @Override public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }
}
