package io.scaleblocks.queue;

import static io.scaleblocks.config.Checks.positive;

import io.scaleblocks.config.Settings;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * The settings of a {@link MessageQueue}, shared by every backend (the file-only and Redis-only
 * ones say so). Immutable; built by {@link #builder()}, whose setters refuse a bad value with a
 * message that names it, or read by {@link #from(Map)} with the keys of the module README.
 */
public final class QueueConfig {

  public static final String DEFAULT_NAME = "queue";
  public static final Durability DEFAULT_DURABILITY = Durability.GROUP_COMMIT;
  public static final Duration DEFAULT_FSYNC_INTERVAL = Duration.ofMillis(100);
  public static final Duration DEFAULT_VISIBILITY_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_DELIVERIES = 5;
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 1 << 20;
  public static final int DEFAULT_SEGMENT_BYTES = 64 << 20;
  public static final long DEFAULT_MAX_PENDING_MESSAGES = 0;
  public static final BackPressure DEFAULT_BACK_PRESSURE = BackPressure.BLOCK;
  public static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_MAX_IN_FLIGHT_PUBLISHES = 65_536;
  public static final CorruptionPolicy DEFAULT_CORRUPTION_POLICY = CorruptionPolicy.STOP;
  public static final Duration DEFAULT_CLAIM_INTERVAL = Duration.ofSeconds(1);
  /** Room a segment needs beyond its largest message: the segment header and a record's frame. */
  static final int SEGMENT_OVERHEAD = 1024;

  private final String name;
  private final Durability durability;
  private final Duration fsyncInterval;
  private final Duration visibilityTimeout;
  private final int maxDeliveries;
  private final int maxMessageBytes;
  private final int segmentBytes;
  private final long maxPendingMessages;
  private final BackPressure backPressure;
  private final Duration publishTimeout;
  private final int maxInFlightPublishes;
  private final CorruptionPolicy corruptionPolicy;
  private final Duration claimInterval;
  private final Clock clock;

  private QueueConfig(Builder b) {
    if (b.segmentBytes < (long) b.maxMessageBytes + SEGMENT_OVERHEAD) {
      throw new IllegalArgumentException("segment bytes must be >= max message bytes + "
          + SEGMENT_OVERHEAD + " (" + ((long) b.maxMessageBytes + SEGMENT_OVERHEAD) + ") but was "
          + b.segmentBytes);
    }
    name = b.name;
    durability = b.durability;
    fsyncInterval = b.fsyncInterval;
    visibilityTimeout = b.visibilityTimeout;
    maxDeliveries = b.maxDeliveries;
    maxMessageBytes = b.maxMessageBytes;
    segmentBytes = b.segmentBytes;
    maxPendingMessages = b.maxPendingMessages;
    backPressure = b.backPressure;
    publishTimeout = b.publishTimeout;
    maxInFlightPublishes = b.maxInFlightPublishes;
    corruptionPolicy = b.corruptionPolicy;
    claimInterval = b.claimInterval;
    clock = b.clock;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Every default. */
  public static QueueConfig defaults() {
    return builder().build();
  }

  /**
   * Reads the keys {@code name}, {@code durability}, {@code fsync-interval},
   * {@code visibility-timeout}, {@code max-deliveries}, {@code max-message-bytes},
   * {@code segment-bytes}, {@code max-pending-messages}, {@code back-pressure},
   * {@code publish-timeout}, {@code max-in-flight-publishes}, {@code corruption-policy} and
   * {@code claim-interval}; refuses unknown
   * keys and values out of range.
   */
  public static QueueConfig from(Map<String, ?> values) {
    Settings s = Settings.of("queue", values);
    Duration max = Duration.ofDays(1);
    Builder b = builder()
        .name(s.string("name", DEFAULT_NAME))
        .durability(s.enumValue("durability", Durability.class, DEFAULT_DURABILITY))
        .fsyncInterval(s.duration("fsync-interval", Duration.ofMillis(1), max,
            DEFAULT_FSYNC_INTERVAL))
        .visibilityTimeout(s.duration("visibility-timeout", Duration.ofMillis(1), max,
            DEFAULT_VISIBILITY_TIMEOUT))
        .maxDeliveries(s.intValue("max-deliveries", 1, 1_000_000, DEFAULT_MAX_DELIVERIES))
        .maxMessageBytes(s.intValue("max-message-bytes", 1, 1 << 30, DEFAULT_MAX_MESSAGE_BYTES))
        .segmentBytes(s.intValue("segment-bytes", 4096, Integer.MAX_VALUE, DEFAULT_SEGMENT_BYTES))
        .maxPendingMessages(s.longValue("max-pending-messages", 0, Long.MAX_VALUE,
            DEFAULT_MAX_PENDING_MESSAGES))
        .backPressure(s.enumValue("back-pressure", BackPressure.class, DEFAULT_BACK_PRESSURE))
        .publishTimeout(s.duration("publish-timeout", Duration.ZERO, max, DEFAULT_PUBLISH_TIMEOUT))
        .maxInFlightPublishes(s.intValue("max-in-flight-publishes", 1, Integer.MAX_VALUE,
            DEFAULT_MAX_IN_FLIGHT_PUBLISHES))
        .corruptionPolicy(s.enumValue("corruption-policy", CorruptionPolicy.class,
            DEFAULT_CORRUPTION_POLICY))
        .claimInterval(s.duration("claim-interval", Duration.ofMillis(1), max,
            DEFAULT_CLAIM_INTERVAL));
    s.done();
    return b.build();
  }

  /** {@link #from(Map)} over {@link Properties}. */
  public static QueueConfig from(Properties properties) {
    Map<String, Object> values = new java.util.LinkedHashMap<>();
    properties.stringPropertyNames().forEach(k -> values.put(k, properties.getProperty(k)));
    return from(values);
  }

  public String name() {
    return name;
  }

  public Durability durability() {
    return durability;
  }

  /** How often {@link Durability#INTERVAL} syncs. */
  public Duration fsyncInterval() {
    return fsyncInterval;
  }

  /** How long a delivery is leased before it is delivered again. */
  public Duration visibilityTimeout() {
    return visibilityTimeout;
  }

  /** Deliveries a message gets before the next one sends it to the dead-letter topic. */
  public int maxDeliveries() {
    return maxDeliveries;
  }

  /** The largest payload a publish accepts. */
  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  /** The size of one segment file of the file log (file log only). */
  public int segmentBytes() {
    return segmentBytes;
  }

  /** Unacknowledged messages a topic holds before publish pushes back; 0 means unbounded. */
  public long maxPendingMessages() {
    return maxPendingMessages;
  }

  public BackPressure backPressure() {
    return backPressure;
  }

  /** How long a {@link BackPressure#BLOCK blocked} publish waits for room. */
  public Duration publishTimeout() {
    return publishTimeout;
  }

  /** Messages of async publishes that may wait for durability at once (per queue). */
  public int maxInFlightPublishes() {
    return maxInFlightPublishes;
  }

  /** File log only. */
  public CorruptionPolicy corruptionPolicy() {
    return corruptionPolicy;
  }

  /** How often the Redis backend claims expired leases with {@code XAUTOCLAIM} (Redis only). */
  public Duration claimInterval() {
    return claimInterval;
  }

  /** The clock of leases, delays and timestamps. */
  public Clock clock() {
    return clock;
  }

  /** A builder preset to this config. */
  public Builder toBuilder() {
    return builder().name(name).durability(durability).fsyncInterval(fsyncInterval)
        .visibilityTimeout(visibilityTimeout).maxDeliveries(maxDeliveries)
        .maxMessageBytes(maxMessageBytes).segmentBytes(segmentBytes)
        .maxPendingMessages(maxPendingMessages).backPressure(backPressure)
        .publishTimeout(publishTimeout).maxInFlightPublishes(maxInFlightPublishes)
        .corruptionPolicy(corruptionPolicy)
        .claimInterval(claimInterval).clock(clock);
  }

  @Override
  public String toString() {
    return "QueueConfig[name=" + name + ", durability=" + durability + ", fsyncInterval="
        + fsyncInterval + ", visibilityTimeout=" + visibilityTimeout + ", maxDeliveries="
        + maxDeliveries + ", maxMessageBytes=" + maxMessageBytes + ", segmentBytes=" + segmentBytes
        + ", maxPendingMessages=" + maxPendingMessages + ", backPressure=" + backPressure
        + ", publishTimeout=" + publishTimeout + ", maxInFlightPublishes=" + maxInFlightPublishes
        + ", corruptionPolicy=" + corruptionPolicy
        + ", claimInterval=" + claimInterval + "]";
  }

  /** Validates each value as it is set. Not thread-safe. */
  public static final class Builder {
    private String name = DEFAULT_NAME;
    private Durability durability = DEFAULT_DURABILITY;
    private Duration fsyncInterval = DEFAULT_FSYNC_INTERVAL;
    private Duration visibilityTimeout = DEFAULT_VISIBILITY_TIMEOUT;
    private int maxDeliveries = DEFAULT_MAX_DELIVERIES;
    private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
    private int segmentBytes = DEFAULT_SEGMENT_BYTES;
    private long maxPendingMessages = DEFAULT_MAX_PENDING_MESSAGES;
    private BackPressure backPressure = DEFAULT_BACK_PRESSURE;
    private Duration publishTimeout = DEFAULT_PUBLISH_TIMEOUT;
    private int maxInFlightPublishes = DEFAULT_MAX_IN_FLIGHT_PUBLISHES;
    private CorruptionPolicy corruptionPolicy = DEFAULT_CORRUPTION_POLICY;
    private Duration claimInterval = DEFAULT_CLAIM_INTERVAL;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank but was '" + name + "'");
      }
      this.name = name;
      return this;
    }

    public Builder durability(Durability durability) {
      this.durability = Objects.requireNonNull(durability, "durability");
      return this;
    }

    public Builder fsyncInterval(Duration interval) {
      this.fsyncInterval = positive("fsync interval", interval);
      return this;
    }

    public Builder visibilityTimeout(Duration timeout) {
      this.visibilityTimeout = positive("visibility timeout", timeout);
      return this;
    }

    public Builder maxDeliveries(int maxDeliveries) {
      if (maxDeliveries < 1) {
        throw new IllegalArgumentException("max deliveries must be >= 1 but was " + maxDeliveries);
      }
      this.maxDeliveries = maxDeliveries;
      return this;
    }

    public Builder maxMessageBytes(int bytes) {
      if (bytes < 1 || bytes > 1 << 30) {
        throw new IllegalArgumentException(
            "max message bytes must be between 1 and " + (1 << 30) + " but was " + bytes);
      }
      this.maxMessageBytes = bytes;
      return this;
    }

    public Builder segmentBytes(int bytes) {
      if (bytes < 4096) {
        throw new IllegalArgumentException("segment bytes must be >= 4096 but was " + bytes);
      }
      this.segmentBytes = bytes;
      return this;
    }

    public Builder maxPendingMessages(long max) {
      if (max < 0) {
        throw new IllegalArgumentException(
            "max pending messages must be >= 0 (0: unbounded) but was " + max);
      }
      this.maxPendingMessages = max;
      return this;
    }

    public Builder backPressure(BackPressure backPressure) {
      this.backPressure = Objects.requireNonNull(backPressure, "backPressure");
      return this;
    }

    public Builder publishTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "publishTimeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("publish timeout must be >= 0 but was " + timeout);
      }
      this.publishTimeout = timeout;
      return this;
    }

    /**
     * How many messages of asynchronous publishes ({@link MessageQueue#publishAsync}) may be
     * waiting for durability at once in this queue; past it an async publish blocks or fails as
     * {@link #backPressure} says.
     */
    public Builder maxInFlightPublishes(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("max in-flight publishes must be >= 1 but was " + max);
      }
      this.maxInFlightPublishes = max;
      return this;
    }

    public Builder corruptionPolicy(CorruptionPolicy policy) {
      this.corruptionPolicy = Objects.requireNonNull(policy, "corruptionPolicy");
      return this;
    }

    public Builder claimInterval(Duration interval) {
      this.claimInterval = positive("claim interval", interval);
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public QueueConfig build() {
      return new QueueConfig(this);
    }
  }
}
