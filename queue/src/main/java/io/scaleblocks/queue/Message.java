package io.scaleblocks.queue;

import java.util.Objects;
import java.util.Optional;

/**
 * One delivery of a message to a consumer of a group: the payload, the id the publish returned,
 * how many times the message has been delivered in this group (1 on the first delivery) and, for a
 * message of a dead-letter topic, where it came from and why. Immutable; the payload array is
 * shared, not copied, so do not change it.
 */
public final class Message {

  private final String topic;
  private final String group;
  private final String id;
  private final byte[] payload;
  private final int deliveryCount;
  private final DeadLetter deadLetter;
  private final long timestampMillis;

  /** For backends; {@code deadLetter} is {@code null} for an ordinary message. */
  public Message(String topic, String group, String id, byte[] payload, int deliveryCount,
      long timestampMillis, DeadLetter deadLetter) {
    this.topic = Objects.requireNonNull(topic, "topic");
    this.group = Objects.requireNonNull(group, "group");
    this.id = Objects.requireNonNull(id, "id");
    this.payload = Objects.requireNonNull(payload, "payload");
    if (deliveryCount < 1) {
      throw new IllegalArgumentException("delivery count must be >= 1 but was " + deliveryCount);
    }
    this.deliveryCount = deliveryCount;
    this.timestampMillis = timestampMillis;
    this.deadLetter = deadLetter;
  }

  public String topic() {
    return topic;
  }

  public String group() {
    return group;
  }

  /** The id that {@link MessageQueue#publish} returned for this message. */
  public String id() {
    return id;
  }

  public byte[] payload() {
    return payload;
  }

  /** 1 on the first delivery in this group, 2 on the first redelivery, … */
  public int deliveryCount() {
    return deliveryCount;
  }

  /** When the message was published, by the publishing queue's clock. */
  public long timestampMillis() {
    return timestampMillis;
  }

  /** Where a dead letter came from and why; empty for an ordinary message. */
  public Optional<DeadLetter> deadLetter() {
    return Optional.ofNullable(deadLetter);
  }

  @Override
  public String toString() {
    return "Message[" + topic + "/" + group + " " + id + ", delivery " + deliveryCount + ", "
        + payload.length + " bytes" + (deadLetter == null ? "" : ", " + deadLetter) + "]";
  }
}
