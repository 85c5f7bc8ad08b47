package io.scaleblocks.queue;

import io.scaleblocks.queue.internal.QueueCounters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file log's layout: {@code queue.lock}, and per topic {@code topics/<topic>/*.seg} and
 * {@code topics/<topic>/groups/<group>.journal}. Holds the directory lock while open and, under
 * {@link Durability#INTERVAL}, the thread that syncs every file at each interval.
 */
final class FileStorage implements Storage {

  private static final Logger LOG = LoggerFactory.getLogger(FileStorage.class);

  private final Path directory;
  private final Path topicsDirectory;
  private final QueueConfig config;
  private final FileIo io;
  private final QueueCounters counters;
  private final DirectoryLock lock;
  private final ConcurrentHashMap<String, SegmentedTopicLog> logs = new ConcurrentHashMap<>();
  private final List<FileGroupJournal> journals = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<RecoveryReport.Cut> journalCuts = new ArrayList<>();
  private final ScheduledExecutorService syncer;

  FileStorage(Path directory, QueueConfig config, FileIo io, QueueCounters counters) {
    this.directory = directory;
    this.topicsDirectory = directory.resolve("topics");
    this.config = config;
    this.io = io;
    this.counters = counters;
    try {
      Files.createDirectories(topicsDirectory);
      this.lock = DirectoryLock.acquire(directory, io, config.name());
    } catch (IOException e) {
      throw new QueueException(config.name() + " - cannot use " + directory
          + " as a queue directory (it must be a writable directory): " + e, e);
    }
    if (config.durability() == Durability.INTERVAL) {
      syncer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, config.name() + "-fsync");
        t.setDaemon(true);
        return t;
      });
      long every = config.fsyncInterval().toNanos();
      syncer.scheduleWithFixedDelay(this::syncAll, every, every, TimeUnit.NANOSECONDS);
    } else {
      syncer = null;
    }
  }

  /**
   * Syncs every file, each in its own {@code try}: a topic whose fsync failed refuses every later
   * one, and must not keep the files after it from being synced.
   */
  private void syncAll() {
    logs.forEach((topic, log) -> syncQuietly("topic " + topic, log::syncWritten));
    journals.forEach(journal -> syncQuietly("a group journal", journal::syncWritten));
  }

  private void syncQuietly(String what, Runnable sync) {
    try {
      sync.run();
    } catch (RuntimeException e) {
      LOG.warn("{} - the interval fsync of {} failed: {}", config.name(), what, e.toString());
    }
  }

  @Override
  public TopicLog openTopic(String topic) {
    try {
      SegmentedTopicLog log = new SegmentedTopicLog(topicsDirectory.resolve(topic), config, io,
          counters);
      logs.put(topic, log);
      return log;
    } catch (IOException e) {
      throw new QueueException(config.name() + " - cannot open topic '" + topic + "' in "
          + topicsDirectory + ": " + e, e);
    }
  }

  @Override
  public GroupJournal openGroup(String topic, String group) {
    Path file = topicsDirectory.resolve(topic).resolve("groups").resolve(group + FileGroupJournal.SUFFIX);
    try {
      Files.createDirectories(file.getParent());
      FileGroupJournal journal = new FileGroupJournal(file, config, io, counters);
      journals.add(journal);
      synchronizedCuts(journal.cuts());
      return journal;
    } catch (IOException e) {
      throw new QueueException(config.name() + " - cannot open the journal of group '" + group
          + "' at " + file + ": " + e, e);
    }
  }

  private void synchronizedCuts(List<RecoveryReport.Cut> cuts) {
    synchronized (journalCuts) {
      journalCuts.addAll(cuts);
    }
  }

  @Override
  public List<String> existingTopics() {
    return names(topicsDirectory, "");
  }

  @Override
  public List<String> existingGroups(String topic) {
    return names(topicsDirectory.resolve(topic).resolve("groups"), FileGroupJournal.SUFFIX);
  }

  private List<String> names(Path dir, String suffix) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> suffix.isEmpty() ? Files.isDirectory(dir.resolve(n)) : n.endsWith(suffix))
          .map(n -> n.substring(0, n.length() - suffix.length()))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new QueueException(config.name() + " - cannot list " + dir + ": " + e, e);
    }
  }

  @Override
  public List<SkippedRecords> skipped() {
    List<SkippedRecords> out = new ArrayList<>();
    logs.forEach((topic, log) -> {
      for (RecoveryReport.Corruption c : log.corruptions) {
        out.add(new SkippedRecords(topic, c.firstOffset(), c.firstOffset() + c.count(),
            c.reason()));
      }
    });
    return out;
  }

  @Override
  public void skippedHandled() {
    logs.values().forEach(SegmentedTopicLog::repairSkipped);
  }

  RecoveryReport report() {
    List<RecoveryReport.Cut> cuts = new ArrayList<>();
    List<RecoveryReport.Corruption> corruptions = new ArrayList<>();
    logs.values().forEach(l -> {
      cuts.addAll(l.cuts);
      corruptions.addAll(l.corruptions);
    });
    synchronized (journalCuts) {
      cuts.addAll(journalCuts);
    }
    return new RecoveryReport(cuts, corruptions);
  }

  Path directory() {
    return directory;
  }

  @Override
  public void close() {
    if (syncer != null) {
      syncer.shutdownNow();
      try {
        syncer.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      lock.close();
    } catch (IOException e) {
      LOG.warn("{} - releasing the lock of {} failed: {}", config.name(), directory, e.toString());
    }
  }
}
