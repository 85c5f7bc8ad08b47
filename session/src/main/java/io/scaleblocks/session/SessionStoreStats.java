package io.scaleblocks.session;

/**
 * What a store counted since it was built.
 *
 * @param created sessions saved for the first time
 * @param expired sessions the store saw expire (the in-memory store sees every one; the JDBC store
 *     counts the rows its cleanup removes; Redis removes expired hashes itself, unseen, so the Redis
 *     store counts only those it found past their deadline)
 * @param deleted sessions removed by {@link SessionStore#delete}
 * @param idRotations successful {@link SessionStore#changeId} calls
 * @param conflicts saves and {@code changeId} calls refused with a {@link SessionConflictException}
 * @param malformedIds finds refused because the id had not the shape this store issues
 */
public record SessionStoreStats(
    long created, long expired, long deleted, long idRotations, long conflicts, long malformedIds) {}
