package io.scaleblocks.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueueConfigTest {

  @Test
  void readsEveryKeyWithRelaxedNamesAndDurations() {
    QueueConfig c = QueueConfig.from(Map.ofEntries(
        Map.entry("name", "photos"), Map.entry("durability", "every_publish"),
        Map.entry("fsyncInterval", "50ms"), Map.entry("visibility-timeout", "2m"),
        Map.entry("max_deliveries", "7"), Map.entry("max-message-bytes", "2048"),
        Map.entry("segment-bytes", "1048576"), Map.entry("max-pending-messages", "100"),
        Map.entry("back-pressure", "fail"), Map.entry("publish-timeout", "PT1S"),
        Map.entry("corruption-policy", "skip_and_dead_letter"), Map.entry("claim-interval", "250ms"),
        Map.entry("maxInFlightPublishes", "128")));
    assertEquals("photos", c.name());
    assertEquals(Durability.EVERY_PUBLISH, c.durability());
    assertEquals(Duration.ofMillis(50), c.fsyncInterval());
    assertEquals(Duration.ofMinutes(2), c.visibilityTimeout());
    assertEquals(7, c.maxDeliveries());
    assertEquals(2048, c.maxMessageBytes());
    assertEquals(1 << 20, c.segmentBytes());
    assertEquals(100, c.maxPendingMessages());
    assertEquals(BackPressure.FAIL, c.backPressure());
    assertEquals(Duration.ofSeconds(1), c.publishTimeout());
    assertEquals(CorruptionPolicy.SKIP_AND_DEAD_LETTER, c.corruptionPolicy());
    assertEquals(Duration.ofMillis(250), c.claimInterval());
    assertEquals(128, c.maxInFlightPublishes());
  }

  @Test
  void defaultsAreThePublicConstants() {
    QueueConfig c = QueueConfig.from(Map.of());
    assertEquals(QueueConfig.DEFAULT_DURABILITY, c.durability());
    assertEquals(QueueConfig.DEFAULT_VISIBILITY_TIMEOUT, c.visibilityTimeout());
    assertEquals(QueueConfig.DEFAULT_MAX_DELIVERIES, c.maxDeliveries());
    assertEquals(QueueConfig.DEFAULT_SEGMENT_BYTES, c.segmentBytes());
    assertEquals(QueueConfig.DEFAULT_MAX_IN_FLIGHT_PUBLISHES, c.maxInFlightPublishes());
  }

  @Test
  void badValuesAreRefusedNamingTheValue() {
    assertEquals("max deliveries must be >= 1 but was 0", assertThrows(IllegalArgumentException.class,
        () -> QueueConfig.builder().maxDeliveries(0)).getMessage());
    assertEquals("visibility timeout must be > 0 but was PT0S",
        assertThrows(IllegalArgumentException.class,
            () -> QueueConfig.builder().visibilityTimeout(Duration.ZERO)).getMessage());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> QueueConfig.builder().segmentBytes(8192).maxMessageBytes(8192).build());
    assertTrue(e.getMessage().contains("8192"), e.getMessage());
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> QueueConfig.from(Map.of("visibilty-timeout", "1s")));
    assertTrue(unknown.getMessage().contains("visibilty-timeout"), unknown.getMessage());
    IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
        () -> QueueConfig.from(Map.of("max-deliveries", "0")));
    assertTrue(range.getMessage().contains("max-deliveries"), range.getMessage());
    assertEquals("max in-flight publishes must be >= 1 but was 0",
        assertThrows(IllegalArgumentException.class,
            () -> QueueConfig.builder().maxInFlightPublishes(0)).getMessage());
  }
}
