package io.scaleblocks.queue;

import java.util.Objects;

/**
 * Why a message is in a dead-letter topic: the topic and id it had, the group that gave up on it,
 * how many deliveries it had and the reason (how the last delivery ended, or the corruption that
 * made it unreadable).
 */
public record DeadLetter(String sourceTopic, String sourceId, String group, int deliveries,
    String reason) {

  public DeadLetter {
    Objects.requireNonNull(sourceTopic, "sourceTopic");
    Objects.requireNonNull(sourceId, "sourceId");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(reason, "reason");
  }
}
