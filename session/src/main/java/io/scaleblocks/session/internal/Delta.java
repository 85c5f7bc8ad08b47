package io.scaleblocks.session.internal;

import io.scaleblocks.session.internal.SessionRecord.StoredAttribute;
import java.util.List;
import java.util.Map;

/**
 * What one save writes: the changed attributes, each with the version the request loaded (0 when
 * it was absent), and the principal when it changed. For a new session {@code created} is the
 * whole record to insert (attributes at version 1); otherwise it is null. {@code base} is the
 * handle's view of the stored attributes that the changes were made against. {@code changes} is
 * the handle's own list, not a copy: a store reads it and never keeps it past the save.
 */
public record Delta(String id, long now, SessionRecord created, List<Change> changes,
    boolean principalChanged, String principal, String previousPrincipal,
    Map<String, StoredAttribute> base) {

  /** One attribute write; {@code value} null removes the attribute. */
  public record Change(String name, byte[] value, long expectedVersion) {
    public boolean isRemoval() {
      return value == null;
    }
  }

  public boolean isNew() {
    return created != null;
  }
}
