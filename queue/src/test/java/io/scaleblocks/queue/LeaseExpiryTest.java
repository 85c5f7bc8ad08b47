package io.scaleblocks.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Leases taken by one poll expire together; leases of polls whose clock readings went backwards
 * (a system clock stepped back) still expire at their own time, not at an earlier poll's.
 */
class LeaseExpiryTest {

  private final FakeClock clock = new FakeClock();
  private final MessageQueue q = MessageQueues.inMemory(QueueConfig.builder().clock(clock)
      .visibilityTimeout(Duration.ofSeconds(30)).build());

  private static List<String> texts(List<Message> ms) {
    return ms.stream().map(m -> new String(m.payload(), UTF_8)).toList();
  }

  @Test
  void aLeaseTakenAfterTheClockSteppedBackExpiresAtItsOwnTime() {
    for (int i = 0; i < 4; i++) {
      q.publish("t", ("m" + i).getBytes(UTF_8));
    }
    assertEquals(List.of("m0", "m1"), texts(q.poll("t", "g", "c", 2, Duration.ZERO)));
    clock.advance(Duration.ofSeconds(-10));
    assertEquals(List.of("m2", "m3"), texts(q.poll("t", "g", "c", 2, Duration.ZERO)));
    clock.advance(Duration.ofSeconds(31));
    assertEquals(List.of("m2", "m3"), texts(q.poll("t", "g", "c", 10, Duration.ZERO)),
        "the second poll's leases ended 20 s after the first poll, the first's not yet");
    clock.advance(Duration.ofSeconds(10));
    assertEquals(List.of("m0", "m1"), texts(q.poll("t", "g", "c", 10, Duration.ZERO)));
  }

  @Test
  void onlyTheUnacknowledgedAndNotNackedLeasesOfAPollComeBackWhenItsLeasesEnd() {
    for (int i = 0; i < 5; i++) {
      q.publish("t", ("m" + i).getBytes(UTF_8));
    }
    List<Message> got = q.poll("t", "g", "c", 5, Duration.ZERO);
    q.ackAll(List.of(got.get(0), got.get(3)));
    q.nack(got.get(1), Duration.ofMinutes(5));
    clock.advance(Duration.ofSeconds(31));
    List<Message> again = q.poll("t", "g", "c", 10, Duration.ZERO);
    assertEquals(List.of("m2", "m4"), texts(again));
    again.forEach(m -> assertEquals(2, m.deliveryCount()));
    assertTrue(q.poll("t", "g", "c", 10, Duration.ZERO).isEmpty());
    q.ackAll(again);
    clock.advance(Duration.ofMinutes(5));
    assertEquals(List.of("m1"), texts(q.poll("t", "g", "c", 10, Duration.ZERO)));
  }
}
