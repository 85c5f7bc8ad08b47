package io.scaleblocks.queue;

import java.util.List;

/** Where a {@link LocalQueue} keeps its topics and groups: files or memory. */
interface Storage {

  TopicLog openTopic(String topic);

  GroupJournal openGroup(String topic, String group);

  /** The topics found at open. */
  List<String> existingTopics();

  /** The groups of {@code topic} found at open. */
  List<String> existingGroups(String topic);

  /** Messages that a repaired corruption made unreadable, to dead-letter once at open. */
  List<SkippedRecords> skipped();

  /** The {@link #skipped} messages are dead-lettered: repair the log so that they stay skipped. */
  void skippedHandled();

  void close();

  /** Offsets {@code [from, to)} of {@code topic} lost to a corruption described by {@code reason}. */
  record SkippedRecords(String topic, long from, long to, String reason) {}
}
