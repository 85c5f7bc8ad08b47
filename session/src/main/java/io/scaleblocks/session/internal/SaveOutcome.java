package io.scaleblocks.session.internal;

import io.scaleblocks.session.internal.SessionRecord.StoredAttribute;
import java.util.List;
import java.util.Map;

/** What a store did with a {@link Delta}. */
public sealed interface SaveOutcome {

  /**
   * Applied; the written attributes now carry version {@code seq}. {@code attributes}, when not
   * null, is what the store now holds and is exactly the delta's {@link Delta#base() base} with its
   * changes at {@code seq} (no other request changed an attribute meanwhile), so the handle can take
   * it as its view instead of building that map itself.
   */
  record Saved(long seq, Map<String, StoredAttribute> attributes) implements SaveOutcome {
    public Saved(long seq) {
      this(seq, null);
    }
  }

  /** Refused whole: these attributes are not at the version the request loaded. */
  record Conflict(List<String> attributes) implements SaveOutcome {}

  /** Refused: no live session under this id. */
  record Gone() implements SaveOutcome {}

  /** The one {@link Gone}, which carries nothing. */
  SaveOutcome GONE = new Gone();

  /** A new session's id is taken (never seen with 128 random bits, but inserts must not collide). */
  record IdTaken() implements SaveOutcome {}
}
