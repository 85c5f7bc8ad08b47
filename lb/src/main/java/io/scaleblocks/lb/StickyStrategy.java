package io.scaleblocks.lb;

import java.util.HashMap;
import java.util.Map;

/**
 * Sticky sessions by cookie: the key names an endpoint by its {@link Endpoint#id()} (the value
 * the application stored in a cookie after the first response). While that endpoint is a
 * candidate (present and healthy) every request with the key goes to it; when it is not, or the
 * key is null or unknown, the fallback strategy picks, and the application stores the new id.
 * One hash-map read per pick, no allocation for {@link String} keys.
 */
final class StickyStrategy implements Strategy {

  private final Strategy fallback;

  StickyStrategy(Strategy fallback) {
    this.fallback = fallback;
  }

  @Override
  public Selector selector(Candidates candidates, Selector previous) {
    Selector previousFallback = previous instanceof Sticky sticky ? sticky.fallback : null;
    Map<String, Integer> byId = new HashMap<>(candidates.size() * 2);
    for (int i = 0; i < candidates.size(); i++) {
      byId.put(candidates.endpoint(i).id(), i);
    }
    return new Sticky(byId, fallback.selector(candidates, previousFallback));
  }

  @Override
  public String toString() {
    return "sticky(" + fallback + ")";
  }

  private static final class Sticky implements Selector {
    private final Map<String, Integer> byId;
    final Selector fallback;

    Sticky(Map<String, Integer> byId, Selector fallback) {
      this.byId = byId;
      this.fallback = fallback;
    }

    @Override
    public int select(CharSequence key) {
      if (key != null) {
        Integer index = byId.get(key instanceof String id ? id : key.toString());
        if (index != null) {
          return index;
        }
      }
      return fallback.select(key);
    }
  }
}
