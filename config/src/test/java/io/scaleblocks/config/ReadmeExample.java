package io.scaleblocks.config;

import java.time.Duration;
import java.util.Map;

/** The README's first example, compiled and run by {@link ReadmeExampleTest}. */
final class ReadmeExample {

  record Health(Duration interval, int unhealthyThreshold) {}

  static Health health(Map<String, ?> properties) {
    // README-BEGIN
    Settings settings = Settings.of("health-check", properties);   // e.g. from Spring's Environment
    Duration interval = settings.duration("interval", Duration.ofMillis(100), Duration.ofMinutes(10),
        Duration.ofSeconds(5));                                      // "250ms", "10s", "PT1M", 500
    int unhealthy = settings.intValue("unhealthy-threshold", 1, 100, 3);  // also unhealthyThreshold
    settings.done();                      // "health-check: unknown setting 'intervl'; known: [...]"
    // README-END
    return new Health(interval, unhealthy);
  }

  private ReadmeExample() {}
}
