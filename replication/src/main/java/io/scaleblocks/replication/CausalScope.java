package io.scaleblocks.replication;

import java.util.Optional;

/**
 * A read-your-writes scope: commits on the primary inside it advance its token, and read-only
 * connections inside it see at least the writes of its token (a replica that has replayed them,
 * else the primary after a bounded wait). {@link #token()} is what to hand to another service.
 * See {@link Scope} for nesting and threads.
 */
public interface CausalScope extends Scope {

  /** The latest position this scope must read, if it has one (given, or captured at a commit). */
  Optional<CausalToken> token();
}
