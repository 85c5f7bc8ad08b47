package io.scaleblocks.queue;

import java.util.Map;
import java.util.NavigableSet;

/**
 * A group's durable progress: offsets below {@code floor} are done, so are those in {@code done};
 * offsets below {@code cursor} have been delivered, {@code counts} holds the delivery count of
 * those delivered more than once.
 */
record GroupSnapshot(long cursor, long floor, NavigableSet<Long> done, Map<Long, Integer> counts) {}
