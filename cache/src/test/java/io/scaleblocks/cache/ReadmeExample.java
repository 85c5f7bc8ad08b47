package io.scaleblocks.cache;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The README's first example, compiled and run by {@link ReadmeExampleTest}. */
final class ReadmeExample {

  private ReadmeExample() {}

  static Optional<String> run(Map<Long, String> db) {
    // README-BEGIN
    CacheAside<Long, String> names = CacheAside.<Long, String>builder(id -> Optional.ofNullable(db.get(id)))
        .name("names")
        .maximumSize(10_000)                 // W-TinyLFU by default; .policy(EvictionPolicy.LRU) etc.
        .ttl(Duration.ofMinutes(10))
        .build();
    Optional<String> name = names.get(42L);  // loads from db once, then served from memory
    names.invalidate(42L);                   // after the row changed elsewhere
    // README-END
    names.close();
    return name;
  }
}
