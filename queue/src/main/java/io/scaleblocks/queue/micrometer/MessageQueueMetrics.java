package io.scaleblocks.queue.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.scaleblocks.queue.MessageQueue;
import io.scaleblocks.queue.QueueStats;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Meters of a {@link MessageQueue}, all tagged {@code name=<queue name>} plus the given tags:
 * counters {@code scaleblocks.queue.published}, {@code .delivered}, {@code .redelivered},
 * {@code .acked}, {@code .dead.lettered}; the timer {@code scaleblocks.queue.fsync} (count and
 * total time of the file log's {@code fsync}s) and the counter {@code scaleblocks.queue.fsync.records}
 * (records those made durable: divided by the fsync count, the mean group-commit batch); and the
 * gauge {@code scaleblocks.queue.lag} with tags {@code topic} and {@code group} for every group of
 * the given topics that exists when the binder is bound.
 *
 * <p>The meters read the queue's counters when a registry polls them: nothing on the hot path.
 */
public final class MessageQueueMetrics implements MeterBinder {

  private final MessageQueue queue;
  private final Collection<String> topics;
  private final Iterable<Tag> tags;

  public MessageQueueMetrics(MessageQueue queue, Collection<String> topics) {
    this(queue, topics, List.of());
  }

  public MessageQueueMetrics(MessageQueue queue, Collection<String> topics, Iterable<Tag> tags) {
    this.queue = Objects.requireNonNull(queue, "queue");
    this.topics = List.copyOf(topics);
    this.tags = Tags.concat(tags, "name", queue.name());
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    counter(registry, "published", "messages published", QueueStats::published);
    counter(registry, "delivered", "deliveries, first ones and redeliveries", QueueStats::delivered);
    counter(registry, "redelivered", "deliveries after the first", QueueStats::redelivered);
    counter(registry, "acked", "messages acknowledged", QueueStats::acked);
    counter(registry, "dead.lettered", "messages moved to a dead-letter topic",
        QueueStats::deadLettered);
    counter(registry, "fsync.records", "records made durable by fsyncs", QueueStats::fsyncRecords);
    FunctionTimer.builder("scaleblocks.queue.fsync", queue, q -> q.stats().fsyncs(),
            q -> q.stats().fsyncNanos(), TimeUnit.NANOSECONDS)
        .tags(tags).description("fsyncs of the file log").register(registry);
    for (String topic : topics) {
      for (String group : queue.groups(topic)) {
        Gauge.builder("scaleblocks.queue.lag", queue, q -> q.lag(topic, group))
            .tags(tags).tag("topic", topic).tag("group", group)
            .description("messages the group has not acknowledged").register(registry);
      }
    }
  }

  private void counter(MeterRegistry registry, String noun, String description,
      ToDoubleFunction<QueueStats> value) {
    FunctionCounter.builder("scaleblocks.queue." + noun, queue, q -> value.applyAsDouble(q.stats()))
        .tags(tags).description(description).register(registry);
  }
}
