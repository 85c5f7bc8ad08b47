package io.scaleblocks.sharding;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Every placement of {@link Placements}, named, for tests and reports that cover them all. */
final class PlacementCatalog {

  record Entry(String name, Function<List<String>, Placement<String>> plain,
      Function<Map<String, Integer>, Placement<String>> weighted, double weightTolerance,
      boolean removesAnyNodeMinimally) {

    Placement<String> build(List<String> nodes) {
      return plain.apply(nodes);
    }

    Placement<String> buildWeighted(Map<String, Integer> nodes) {
      return weighted.apply(nodes);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private PlacementCatalog() {}

  static List<Entry> all() {
    return List.of(
        new Entry("consistent (MementoHash)", Placements::consistent, Placements::consistent, 0.02, true),
        new Entry("rendezvous", Placements::rendezvous, Placements::rendezvous, 0.02, true),
        new Entry("jump", Placements::jump, Placements::jump, 0.02, false),
        new Entry("ring-160", Placements::ring, w -> Placements.ring(w, 160), 0.15, true),
        new Entry("ketama", Placements::ketama, Placements::ketama, 0.15, true),
        new Entry("maglev", Placements::maglev, Placements::maglev, 0.02, false),
        new Entry("bounded-load", Placements::boundedLoad, w -> Placements.boundedLoad(w, 0.25), 0.2, false),
        new Entry("modulo", Placements::modulo, Placements::modulo, 0.02, false));
  }
}
