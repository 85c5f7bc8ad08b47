package io.scaleblocks.session.internal;

import java.util.List;

/** What a store did with a {@link Delta}. */
public sealed interface SaveOutcome {

  /** Applied; the written attributes now carry version {@code seq}. */
  record Saved(long seq) implements SaveOutcome {}

  /** Refused whole: these attributes are not at the version the request loaded. */
  record Conflict(List<String> attributes) implements SaveOutcome {}

  /** Refused: no live session under this id. */
  record Gone() implements SaveOutcome {}

  /** The one {@link Gone}, which carries nothing. */
  SaveOutcome GONE = new Gone();

  /** A new session's id is taken (never seen with 128 random bits, but inserts must not collide). */
  record IdTaken() implements SaveOutcome {}
}
