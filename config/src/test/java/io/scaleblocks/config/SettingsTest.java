package io.scaleblocks.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SettingsTest {

  @Test
  void keysMatchInEveryRelaxedSpelling() {
    for (String key : List.of("max-size", "maxSize", "max_size", "MAX_SIZE", "Max-Size")) {
      Settings settings = Settings.of("cache", Map.of(key, "7"));
      assertEquals(7, settings.intValue("max-size", 0, 10, 1), key);
      settings.done();
    }
  }

  @Test
  void absentKeysGiveTheDefault() {
    Settings settings = Settings.of("cache", Map.of());
    assertEquals(5, settings.intValue("consecutive-failures", 1, 10, 5));
    assertEquals(Duration.ofSeconds(1), settings.duration("interval", Duration.ZERO, Duration.ofHours(1), Duration.ofSeconds(1)));
    assertTrue(settings.bool("enabled", true));
    assertFalse(settings.optionalString("name").isPresent());
    settings.done();
  }

  @Test
  void anUnknownKeyIsRefusedWithTheKnownOnes() {
    Settings settings = Settings.of("outlier-detection", Map.of("consecutive-failure", "3"));
    settings.intValue("consecutive-failures", 1, 1000, 5);
    settings.duration("interval", Duration.ZERO, Duration.ofHours(1), Duration.ofSeconds(10));

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, settings::done);
    assertEquals("outlier-detection: unknown setting 'consecutive-failure'; known: [consecutive-failures, interval]",
        e.getMessage());
  }

  @Test
  void outOfRangeNumbersAreRefusedNotTruncated() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Settings.of("write-back", Map.of("max-pending-writes", "4294967296"))
            .intValue("max-pending-writes", 1, Integer.MAX_VALUE, 10_000));
    assertEquals("write-back: 'max-pending-writes' must be between 1 and 2147483647 but was '4294967296'", e.getMessage());

    assertThrows(IllegalArgumentException.class,
        () -> Settings.of("x", Map.of("n", "99999999999999999999999")).longValue("n", 0, Long.MAX_VALUE, 0));
    assertThrows(IllegalArgumentException.class,
        () -> Settings.of("x", Map.of("n", "1.5")).intValue("n", 0, 10, 0));
    assertThrows(IllegalArgumentException.class,
        () -> Settings.of("x", Map.of("ratio", "1.5")).doubleValue("ratio", 0, 1, 0.5));
    assertThrows(IllegalArgumentException.class,
        () -> Settings.of("x", Map.of("ratio", "NaN")).doubleValue("ratio", 0, 1, 0.5));
    assertEquals(0.25, Settings.of("x", Map.of("ratio", "0.25")).doubleValue("ratio", 0, 1, 0.5));
    assertEquals(12L, Settings.of("x", Map.of("n", 12)).longValue("n", 0, 100, 0));
  }

  @Test
  void durationsTakeEveryForm() {
    Map<String, Duration> forms = Map.of(
        "250ms", Duration.ofMillis(250), "250", Duration.ofMillis(250), "10s", Duration.ofSeconds(10),
        "5m", Duration.ofMinutes(5), "2h", Duration.ofHours(2), "1d", Duration.ofDays(1),
        "PT0.25S", Duration.ofMillis(250), "pt10s", Duration.ofSeconds(10), "500us", Duration.ofNanos(500_000),
        "7ns", Duration.ofNanos(7));
    forms.forEach((text, expected) -> assertEquals(expected,
        Settings.of("x", Map.of("t", text)).duration("t", Duration.ZERO, Duration.ofDays(2), Duration.ZERO), text));
    assertEquals(Duration.ofSeconds(3), Settings.of("x", Map.of("t", Duration.ofSeconds(3)))
        .duration("t", Duration.ZERO, Duration.ofDays(2), Duration.ZERO));
    assertEquals(Duration.ofMillis(40), Settings.of("x", Map.of("t", 40L))
        .duration("t", Duration.ZERO, Duration.ofDays(2), Duration.ZERO));
  }

  @Test
  void badAndOutOfRangeDurationsNameTheKeyAndTheRange() {
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> Settings.of("health", Map.of("interval", "ten seconds"))
            .duration("interval", Duration.ofMillis(1), Duration.ofHours(1), Duration.ofSeconds(1)));
    assertEquals("health: 'interval' must be a duration like 250ms, 10s, 5m or PT10S but was 'ten seconds'", bad.getMessage());

    IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
        () -> Settings.of("health", Map.of("interval", "0s"))
            .duration("interval", Duration.ofMillis(1), Duration.ofHours(1), Duration.ofSeconds(1)));
    assertEquals("health: 'interval' must be between 1ms and 1h but was '0s'", range.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Settings.of("x", Map.of("t", "5w"))
        .duration("t", Duration.ZERO, Duration.ofDays(2), Duration.ZERO));
  }

  @Test
  void booleansAndEnumsAreStrict() {
    assertTrue(Settings.of("x", Map.of("on", "TRUE")).bool("on", false));
    assertThrows(IllegalArgumentException.class, () -> Settings.of("x", Map.of("on", "yes")).bool("on", false));
    assertEquals(TimeUnit.MILLISECONDS, Settings.of("x", Map.of("unit", "milliseconds"))
        .enumValue("unit", TimeUnit.class, TimeUnit.SECONDS));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Settings.of("x", Map.of("unit", "fortnights")).enumValue("unit", TimeUnit.class, TimeUnit.SECONDS));
    assertTrue(e.getMessage().contains("'unit' must be one of [nanoseconds,"), e.getMessage());
  }

  @Test
  void emptyValuesAndDoubleSpellingsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> Settings.of("x", Map.of("n", " ")).intValue("n", 0, 1, 0));
    IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
        () -> Settings.of("x", Map.of("max-size", "1", "maxSize", "2")));
    assertTrue(twice.getMessage().contains("are the same setting, given twice"), twice.getMessage());
  }

  @Test
  void sectionsAndListsCheckTheirOwnKeys() {
    Properties properties = new Properties();
    properties.setProperty("primary.url", "jdbc:h2:mem:a");
    properties.setProperty("replicas[0].url", "jdbc:h2:mem:b");
    properties.setProperty("replicas[1].url", "jdbc:h2:mem:c");
    properties.setProperty("replicas[1].weight", "3");
    properties.setProperty("max-lag", "2s");
    Settings settings = Settings.of("replication", properties);

    Settings primary = settings.section("primary");
    assertEquals("jdbc:h2:mem:a", primary.string("url", null));
    primary.done();
    List<Settings> replicas = settings.sections("replicas");
    assertEquals(2, replicas.size());
    assertEquals(List.of("jdbc:h2:mem:b", "jdbc:h2:mem:c"),
        replicas.stream().map(replica -> replica.string("url", null)).toList());
    assertEquals(List.of(1, 3), replicas.stream().map(replica -> replica.intValue("weight", 1, 100, 1)).toList());
    replicas.forEach(Settings::done);
    assertEquals(Duration.ofSeconds(2), settings.duration("max-lag", Duration.ZERO, Duration.ofHours(1), Duration.ZERO));
    settings.done();

    Settings withTypo = Settings.of("replication", Map.of("replicas[0].ulr", "x"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
      Settings replica = withTypo.sections("replicas").get(0);
      replica.string("url", null);
      replica.done();
    });
    assertEquals("replication.replicas[0]: unknown setting 'ulr'; known: [url]", e.getMessage());

    assertThrows(IllegalArgumentException.class,
        () -> Settings.of("replication", Map.of("replicas[1].url", "x")).sections("replicas"));
  }

  @Test
  void aListIndexHasOneSpelling() {
    Map<String, String> twice = Map.of("replicas[0].url", "a", "replicas[1].url", "b", "replicas[01].url", "evil");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Settings.of("replication", twice).sections("replicas"));
    assertEquals("replication: 'replicas[01].url' must look like replicas[0].name", e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> Settings.of("replication", Map.of("replicas[+0].url", "b")).sections("replicas"));
  }

  @Test
  void nestedListsAndOddSpellingsKeepTheRestOfTheKey() {
    Settings settings = Settings.of("x", Map.of("shards[0].replicas[0].url", "a", "Shard_Set.Max-Size", "4"));
    List<Settings> replicas = settings.sections("shards").get(0).sections("replicas");
    assertEquals("a", replicas.get(0).string("url", null));
    assertEquals(4, settings.section("shard-set").intValue("max-size", 1, 10, 1));
    settings.done();
  }

  @Test
  void doneChecksTheSectionsItHandedOut() {
    Settings settings = Settings.of("x", Map.of("health.intervl", "1s"));
    settings.section("health").duration("interval", Duration.ZERO, Duration.ofHours(1), Duration.ofSeconds(1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, settings::done);
    assertEquals("x.health: unknown setting 'intervl'; known: [interval]", e.getMessage());
  }

  @Test
  void numericDurationsAreWholeMillisecondsOrRefused() {
    Duration max = Duration.ofDays(2);
    assertThrows(IllegalArgumentException.class,
        () -> Settings.of("x", Map.of("t", 2.5)).duration("t", Duration.ZERO, max, Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> Settings.of("x", Map.of("t", new java.math.BigInteger("18446744073709551616")))
        .duration("t", Duration.ZERO, max, Duration.ZERO));
    assertEquals(Duration.ofMillis(3), Settings.of("x", Map.of("t", 3.0)).duration("t", Duration.ZERO, max, Duration.ZERO));
    assertEquals(Duration.ofSeconds(5), Settings.of("x", Map.of("t", "+5s")).duration("t", Duration.ZERO, max, Duration.ZERO));
  }

  @Test
  void nonFiniteNumbersAreRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Settings.of("x", Map.of("r", Double.NaN)).doubleValue("r", 0, 1, 0.5));
    assertEquals("x: 'r' must be a finite number but was 'NaN'", e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> Settings.of("x", Map.of("n", Double.POSITIVE_INFINITY)).longValue("n", 0, 10, 0));
  }

  @Test
  void hasCountsTheKeyAsHandled() {
    Settings settings = Settings.of("x", Map.of("tls", "true"));
    assertTrue(settings.has("tls"));
    settings.done();
  }

  @Test
  void propertiesWithObjectValuesAreReadOrRefused() {
    Properties properties = new Properties();
    properties.put("max-size", 5);
    Settings settings = Settings.of("x", properties);
    assertEquals(5, settings.intValue("max-size", 1, 10, 1));
    settings.done();

    Properties typo = new Properties();
    typo.put("max-sise", 5);
    Settings withTypo = Settings.of("x", typo);
    withTypo.intValue("max-size", 1, 10, 1);
    assertThrows(IllegalArgumentException.class, withTypo::done);
  }

  @Test
  void stringsAreKeptAsGiven() {
    assertEquals(" secret ", Settings.of("x", Map.of("password", " secret ")).string("password", null));
  }
}
