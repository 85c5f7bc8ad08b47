package io.scaleblocks.queue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A durable message queue: named topics, consumer groups, acknowledgements and dead letters, with
 * one meaning on every backend ({@link SegmentedLogQueue} on disk, {@link MessageQueues#inMemory}
 * and the Redis Streams backend in {@code io.scaleblocks.queue.redis}).
 *
 * <ul>
 *   <li><b>Publish</b> returns once the message is durable per the configured {@link Durability},
 *       with the message's id. A batch is appended in order and returns the ids in order.
 *   <li><b>Consumer groups</b>: every group gets every message of its topic; a group seen for the
 *       first time starts at the oldest message the topic still holds. Within a group, a message is
 *       leased to one consumer at a time.
 *   <li><b>Leases</b>: a delivered message that is neither {@linkplain #ack acknowledged} nor
 *       {@linkplain #nack nacked} within the visibility timeout is delivered again. Every delivery
 *       carries its {@linkplain Message#deliveryCount() delivery count}; a message that has been
 *       delivered {@link QueueConfig#maxDeliveries()} times and comes back once more is moved to the
 *       dead-letter topic ({@link #deadLetterTopic}) with the reason, and acknowledged in its group.
 *   <li><b>Order</b>: per topic. A group receives first deliveries in publish order; a redelivery
 *       (after a nack or an expired lease) comes when it is due, so it can overtake later messages.
 *   <li><b>At least once</b>: a message can be delivered again after an expired lease, a nack, or
 *       a crash of the process that held it; an acknowledgement that returned is never undone (on
 *       the file log, under {@link Durability#EVERY_PUBLISH} and {@link Durability#GROUP_COMMIT}, not
 *       even by a power cut).
 *   <li><b>Back-pressure</b>: a topic bounded by {@link QueueConfig#maxPendingMessages()} blocks a
 *       publish up to {@link QueueConfig#publishTimeout()} or fails it at once
 *       ({@link QueueConfig#backPressure()}), with {@link QueueFullException}.
 * </ul>
 *
 * <p>Topic and group names are 1 to 100 characters out of {@code [A-Za-z0-9._-]}; a topic's
 * dead-letter topic is a topic too, also when that makes it longer. Implementations
 * are thread-safe. Failures of the storage are {@link QueueException}s that name what failed.
 */
public interface MessageQueue extends AutoCloseable {

  /** The suffix of a topic's dead-letter topic: {@code orders} dead-letters into {@code orders.dlq}. */
  String DEAD_LETTER_SUFFIX = ".dlq";

  /**
   * Appends one message and returns its id once it is durable per the configured policy.
   *
   * @throws RecordTooLargeException if the payload exceeds {@link QueueConfig#maxMessageBytes()}
   * @throws QueueFullException if the topic is bounded and stays full
   * @throws QueueException if the storage fails; the message is then not published
   */
  String publish(String topic, byte[] payload);

  /**
   * Appends the payloads in order, as one write, and returns their ids in order once all of them
   * are durable. Either every payload is checked first (size) and none is written, or all are.
   */
  List<String> publishAll(String topic, List<byte[]> payloads);

  /**
   * Appends one message and returns a future of its id, completed once the message is durable per
   * the configured policy (when {@link #publish} would have returned), so that many publishes can
   * share one {@code fsync} without a thread each.
   *
   * <p>What publish would throw before writing is thrown here: a payload over the limit
   * ({@link RecordTooLargeException}), a full bounded topic ({@link QueueFullException}). The
   * same back-pressure bounds the messages of async publishes still waiting for durability, at most
   * {@link QueueConfig#maxInFlightPublishes()} per queue: past it this call blocks up to the
   * publish timeout ({@link BackPressure#BLOCK}) or fails at once ({@link BackPressure#FAIL}) with
   * {@link QueueFullException}, nothing written. A storage failure is a {@link QueueException},
   * thrown if the write itself failed or failing the future if making it durable failed (a failed
   * fsync, a Redis error, the queue closed first); such a message may or may not be there
   * afterwards, as with a publish that threw (on the file log a failed fsync stops the topic: it refuses
   * every publish until the queue is reopened, and recovery then keeps the records that reached
   * the file). A future never completes before its
   * message is durable.
   *
   * <p>The futures of one topic complete in publish order: once a future is done, so is every
   * earlier publish's future of that topic. {@link #close} completes or fails every pending one
   * before it returns. Actions chained with the non-{@code Async} methods of
   * {@link CompletableFuture} run on the thread that completes the future (the file log's flush
   * thread, the Redis sender thread) and hold it up: chain slow work with the {@code Async} ones.
   * A thread that waits in {@code get} or {@code join} may run a waited future's actions itself, as
   * {@code CompletableFuture} allows, so actions of different futures can overlap and need not
   * start in publish order; check {@code isDone} of the earlier futures where order matters.
   * Such an action must not wait for another async publish of the same topic (file log) or queue
   * (Redis): only that thread could complete it.
   */
  CompletableFuture<String> publishAsync(String topic, byte[] payload);

  /**
   * {@link #publishAll} as {@link #publishAsync}: the batch is checked first and written in order,
   * and one future completes with the ids in order once all of them are durable.
   */
  CompletableFuture<List<String>> publishAllAsync(String topic, List<byte[]> payloads);

  /**
   * Leases up to {@code max} messages of {@code topic} to {@code consumer} of {@code group},
   * waiting up to {@code wait} for one to arrive. Due redeliveries come before new messages.
   * Returns an empty list when nothing arrived in time.
   */
  List<Message> poll(String topic, String group, String consumer, int max, Duration wait);

  /**
   * Acknowledges a delivery; returns once the acknowledgement is durable. Idempotent; a message
   * this queue never delivered to that group is ignored. An ack of an earlier delivery whose lease
   * already expired still marks the message done: it was processed, and the current holder's own
   * ack then changes nothing.
   */
  void ack(Message message);

  /** Acknowledges deliveries of one topic and group with one durable write. */
  void ackAll(List<Message> messages);

  /** Gives a delivery back: it is delivered again after {@code redeliverAfter} (zero: at once). */
  default void nack(Message message, Duration redeliverAfter) {
    nack(message, redeliverAfter, "nacked");
  }

  /**
   * Gives a delivery back with the reason that ends up in the dead letter if this was the last
   * allowed delivery. On Redis the delay is capped at the visibility timeout; elsewhere a delay too
   * long to add to the clock saturates (the message waits indefinitely) instead of wrapping.
   *
   * <p>Only the current delivery can be given back: a nack whose {@link Message#deliveryCount()}
   * is not the message's current one (its lease expired and the message went to another
   * consumer since), or of a message already done, is ignored, so it never takes the message away
   * from the consumer that holds it now.
   */
  void nack(Message message, Duration redeliverAfter, String reason);

  /** Messages of {@code topic} that {@code group} has not acknowledged yet (0 for an unknown group). */
  long lag(String topic, String group);

  /** The groups that consume {@code topic}. */
  List<String> groups(String topic);

  /** The counters since this queue was opened. */
  QueueStats stats();

  /** The name in log lines and meters. */
  String name();

  /** Releases files, threads and connections; leases still out are given back by the restart. */
  @Override
  void close();

  /** The dead-letter topic of {@code topic}. */
  static String deadLetterTopic(String topic) {
    return topic + DEAD_LETTER_SUFFIX;
  }
}
