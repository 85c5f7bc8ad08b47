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
        new Entry("modulo", Placements::modulo, Placements::modulo, 0.02, false));
  }
}
