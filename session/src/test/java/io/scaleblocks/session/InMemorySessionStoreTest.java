package io.scaleblocks.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class InMemorySessionStoreTest extends SessionStoreContract {

  @Override
  protected SessionStore newStore(SessionStoreConfig config, SessionIds ids, MutableClock clock) {
    return SessionStores.inMemory().config(config).ids(ids).clock(clock).build();
  }

  /** Saves {@code count} sessions, spread over {@code principals} principals {@code user-<i>}. */
  private void saveSessions(int count, int principals) {
    for (int i = 0; i < count; i++) {
      Session s = store.create();
      s.setPrincipal("user-" + (i % principals));
      store.save(s);
    }
  }

  @Test
  void noPrincipalIndexEntryIsLeftAfterTenThousandSessionsExpire() {
    saveSessions(10_000, 100);
    InMemorySessionStore memory = (InMemorySessionStore) store;
    assertEquals(10_000, memory.principalIndexEntries());
    clock.advance(IDLE.plus(Duration.ofSeconds(1)));
    assertEquals(0, store.activeSessions().orElseThrow());
    assertEquals(10_000, store.stats().expired());
    assertEquals(0, memory.principalIndexEntries());
  }

  @Test
  void theBackgroundSweepRemovesExpiredSessionsThatNobodyAsksFor() throws Exception {
    saveSessions(1_000, 10);
    InMemorySessionStore memory = (InMemorySessionStore) store;
    clock.advance(IDLE.plusSeconds(1));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (memory.storedSessions() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(0, memory.storedSessions(), "removed by the sweep thread, without any call");
    assertEquals(0, memory.principalIndexEntries());
    assertEquals(0, memory.filedKeys());
    assertEquals(1_000, store.stats().expired());
  }

  @Test
  void aSessionTouchedBeforeItsFirstDeadlineIsFiledAgainAndKeptBySweeps() {
    Session s = store.create();
    store.save(s);
    InMemorySessionStore memory = (InMemorySessionStore) store;
    clock.advance(IDLE.minusSeconds(2));
    for (int step = 0; step < 2; step++) {  // within the renewal timeout
      assertTrue(store.find(s.id()).isPresent(), "step " + step);  // 2 s before its deadline
      clock.advance(Duration.ofSeconds(3));  // past the deadline it was filed under
      memory.sweep();
      assertEquals(1, memory.storedSessions(), "step " + step);
      assertEquals(1, memory.filedKeys(), "filed once, under its new deadline");
      clock.advance(IDLE.minusSeconds(5));
    }
    clock.advance(IDLE);
    memory.sweep();
    assertEquals(0, memory.storedSessions());
    assertEquals(0, memory.filedKeys());
    assertEquals(1, store.stats().expired());
  }

  @Test
  void aDeletedOrRotatedSessionLeavesNoFiledKeyOnceItsDeadlinePassed() {
    Session deleted = store.create();
    store.save(deleted);
    Session rotated = store.create();
    store.save(rotated);
    store.changeId(rotated);
    store.delete(deleted.id());
    InMemorySessionStore memory = (InMemorySessionStore) store;
    assertEquals(3, memory.filedKeys(), "both creations and the rotation's new id");
    clock.advance(IDLE.plusSeconds(1));
    memory.sweep();
    assertEquals(0, memory.filedKeys());
    assertEquals(0, memory.storedSessions());
    assertEquals(1, store.stats().expired(), "only the rotated session expired");
    assertEquals(1, store.stats().deleted());
  }

  @Test
  void anExpiredSessionUnderARecycledIdIsCountedAndLeavesTheIndexWhenTheIdIsTaken() {
    SecureRandom constant = new SecureRandom() {
      @Override
      public void nextBytes(byte[] bytes) {
        Arrays.fill(bytes, (byte) 7);
      }
    };
    SessionStore recycling = SessionStores.inMemory().config(config())
        .ids(SessionIds.using(constant, SessionIds.DEFAULT_BITS)).clock(clock).build();
    try {
      Session first = recycling.create();
      first.setPrincipal("ada");
      recycling.save(first);
      clock.advance(IDLE.plusSeconds(1));
      Session second = recycling.create();
      second.setPrincipal("bob");
      recycling.save(second);
      assertEquals(1, recycling.stats().expired());
      assertEquals(second.id(), first.id(), "the same id twice");
      assertEquals(1, ((InMemorySessionStore) recycling).principalIndexEntries(), "bob's only");
    } finally {
      recycling.close();
    }
  }

  @Test
  void aStoreDroppedWithoutCloseIsNotKeptAliveByTheSweep() throws Exception {
    WeakReference<SessionStore> dropped = new WeakReference<>(
        SessionStores.inMemory().config(config()).clock(clock).build());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (dropped.get() != null && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(20);
    }
    assertNull(dropped.get(), "collected: the sweep task holds its store weakly");
  }

  @Test
  void aSweepThatThrowsAnErrorDoesNotStopTheSweepsAfterIt() throws Exception {
    AtomicBoolean failing = new AtomicBoolean(true);
    CountDownLatch failed = new CountDownLatch(1);
    Clock sweepBreaking = new Clock() {
      @Override public long millis() {
        if (Thread.currentThread().getName().startsWith("scaleblocks-session-expiry") && failing.get()) {
          failed.countDown();
          throw new AssertionError("a clock that fails on the sweep thread");
        }
        return clock.millis();
      }

      @Override public Instant instant() {
        return Instant.ofEpochMilli(millis());
      }

      @Override public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override public Clock withZone(ZoneId zone) {
        return this;
      }
    };
    try (SessionStore breaking = SessionStores.inMemory().config(config()).clock(sweepBreaking).build()) {
      InMemorySessionStore memory = (InMemorySessionStore) breaking;
      for (int i = 0; i < 100; i++) {
        breaking.save(breaking.create());
      }
      assertTrue(failed.await(10, TimeUnit.SECONDS), "a background sweep ran into the failing clock");
      failing.set(false);
      clock.advance(IDLE.plusSeconds(1));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (memory.storedSessions() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertEquals(0, memory.storedSessions(), "removed by a later background sweep");
    }
  }

  @Test
  void aClosedStoreRefusesEveryCallWithAnExceptionNamingIt() {
    Session live = saved("ada");
    Session unsaved = store.create();
    store.close();
    List<Executable> calls = List.of(
        () -> store.find(live.id()),
        () -> store.touch(live.id()),
        () -> store.save(unsaved),
        () -> store.delete(live.id()),
        () -> store.changeId(live),
        () -> store.findIdsByPrincipal("ada"),
        () -> store.deleteByPrincipal("ada"));
    for (Executable call : calls) {
      SessionStoreException e = assertThrows(SessionStoreException.class, call);
      assertTrue(e.getMessage().contains(store.name()) && e.getMessage().contains("closed"), e.getMessage());
    }
    assertEquals(0, store.activeSessions().orElseThrow());
  }

  @Test
  void aHandleFoundInOneStoreIsNotSavedIntoAnother() {
    Session found = store.find(saved("ada").id()).orElseThrow();
    try (SessionStore other = newStore(config(), SessionIds.secure(), clock)) {
      found.set(USER, "grace");
      SessionConflictException e = assertThrows(SessionConflictException.class, () -> other.save(found));
      assertEquals(SessionConflictException.Reason.SESSION_GONE, e.reason());
      assertEquals(0, other.activeSessions().orElseThrow());
    }
    assertEquals("ada", store.find(found.id()).orElseThrow().get(USER).orElseThrow());
  }

  /** In a JVM of its own, where no other test's store keeps the shared sweep thread busy. */
  @Test
  void theSweepThreadEndsOnceNoStoreIsLeft() throws Exception {
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), SweepThreadProbe.class.getName())
        .redirectErrorStream(true).start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(child.waitFor(60, TimeUnit.SECONDS));
    assertTrue(out.contains("running while a store is open: true"), out);
    assertTrue(out.contains("running after the last store closed: false"), out);
  }

  @Test
  void aPrincipalReadRacingSavesNeverDropsALiveSessionFromTheIndex() throws Exception {
    int sessions = 20_000;
    java.util.List<String> saved = new java.util.ArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread reader = new Thread(() -> {
      while (writing.get()) {
        store.findIdsByPrincipal("racer");
      }
    });
    reader.start();
    try {
      for (int i = 0; i < sessions; i++) {
        Session s = store.create();
        s.setPrincipal("racer");
        store.save(s);
        saved.add(s.id());
      }
    } finally {
      writing.set(false);
      reader.join();
    }
    java.util.Set<String> missing = new java.util.HashSet<>(saved);
    missing.removeAll(store.findIdsByPrincipal("racer"));
    assertEquals(0, missing.size(), "live sessions missing from the index");
  }

  @Test
  void aPrincipalReadDuringRotationsAlwaysListsTheSessionOnce() throws Exception {
    Session s = store.create();
    s.setPrincipal("ada");
    store.save(s);
    java.util.concurrent.atomic.AtomicBoolean rotating = new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.atomic.AtomicInteger wrong = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
    Thread reader = new Thread(() -> {
      while (rotating.get()) {
        int listed = store.findIdsByPrincipal("ada").size();
        if (listed != 1) {
          wrong.compareAndSet(0, 1000 + listed);
        }
        reads.incrementAndGet();
      }
    });
    reader.start();
    try {
      for (int i = 0; i < 50_000 && wrong.get() == 0; i++) {
        store.changeId(s);
      }
    } finally {
      rotating.set(false);
      reader.join();
    }
    assertEquals(0, wrong.get(), "1000 + the ids a read listed, when not exactly one (of " + reads.get() + " reads)");
    assertEquals(java.util.List.of(s.id()), store.findIdsByPrincipal("ada"));
  }

  @Test
  void logOutEverywhereRacingARotationLeavesNoSessionOfThePrincipal() throws Exception {
    int survivors = 0;
    for (int round = 0; round < 1_000; round++) {
      Session s = store.create();
      s.setPrincipal("ada");
      store.save(s);
      java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      Thread rotator = new Thread(() -> {
        started.countDown();
        try {
          while (!stop.get()) {
            store.changeId(s);
          }
        } catch (SessionConflictException e) {
          // deleted: the rotation loop ends
        }
      });
      rotator.start();
      started.await();
      store.deleteByPrincipal("ada");
      stop.set(true);
      rotator.join();
      if (!store.findIdsByPrincipal("ada").isEmpty()) {
        survivors++;
        store.findIdsByPrincipal("ada").forEach(store::delete);
      }
    }
    assertEquals(0, survivors, "rounds in which a session of the principal outlived deleteByPrincipal");
  }

  @Test
  void logOutEverywhereRacingALoginAsAnotherUserKeepsTheSessionsThatLoginSaved() throws Exception {
    int sessions = 20_000;
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < sessions; i++) {
      Session s = store.create();
      s.setPrincipal("ada");
      store.save(s);
      ids.add(s.id());
    }
    java.util.Set<String> grace = java.util.concurrent.ConcurrentHashMap.newKeySet();
    CountDownLatch go = new CountDownLatch(1);
    Thread login = new Thread(() -> {
      try {
        go.await();
      } catch (InterruptedException e) {
        return;
      }
      for (int i = sessions - 1; i >= 0; i--) {  // from the end of the list the log-out walks
        store.find(ids.get(i)).ifPresent(s -> {
          s.setPrincipal("grace");
          try {
            store.save(s);
            grace.add(s.id());
          } catch (SessionConflictException deletedFirst) {
            // the log-out removed it before this save: nothing saved
          }
        });
      }
    });
    login.start();
    go.countDown();
    int deleted = store.deleteByPrincipal("ada");
    login.join();
    long lost = grace.stream().filter(id -> store.find(id).isEmpty()).count();
    assertEquals(0, lost, "sessions saved as grace's that ada's log-out deleted afterwards");
    assertEquals(sessions, deleted + grace.size(), "each session either deleted as ada's or kept as grace's");
    assertEquals(grace.size(), store.findIdsByPrincipal("grace").size());
    assertEquals(deleted, store.stats().deleted());
  }

  @Test
  void twoLogOutsEverywhereOfOnePrincipalCountEachSessionOnce() throws Exception {
    int sessions = 5_000;
    int wrong = 0;
    for (int round = 0; round < 20; round++) {
      saveSessions(sessions, 1);
      java.util.concurrent.atomic.AtomicInteger other = new java.util.concurrent.atomic.AtomicInteger();
      CountDownLatch go = new CountDownLatch(1);
      Thread racing = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        other.set(store.deleteByPrincipal("user-0"));
      });
      racing.start();
      go.countDown();
      int mine = store.deleteByPrincipal("user-0");
      racing.join();
      if (mine + other.get() != sessions) {
        wrong++;
      }
    }
    assertEquals(0, wrong, "rounds in which the two counts did not add up to the sessions deleted");
    assertEquals(20L * sessions, store.stats().deleted());
  }

  @Test
  void anActiveSessionCountTakenWhileAnotherSweepIsRemovingCountsNoExpiredSession() throws Exception {
    saveSessions(100_000, 100);
    InMemorySessionStore memory = (InMemorySessionStore) store;
    clock.advance(IDLE.plusSeconds(1));
    Thread sweeper = new Thread(memory::sweep, "racing-sweep");
    sweeper.start();
    long counted;
    boolean inWindow;
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (memory.filedKeys() > 0 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      inWindow = memory.storedSessions() > 0;  // a sweep took the keys and is still removing
      counted = store.activeSessions().orElseThrow();
    } finally {
      sweeper.join();
    }
    assertTrue(inWindow, "the count was taken while the other sweep was still removing");
    assertEquals(0, counted, "every session has expired");
    assertEquals(100_000, store.stats().expired());
  }

  @Test
  void aPrincipalReadThatFindsASessionPastItsDeadlineRemovesIt() {
    Session expired = store.create();
    expired.setPrincipal("ada");
    store.save(expired);
    clock.advance(IDLE.minusSeconds(1));
    Session live = store.create();
    live.setPrincipal("ada");
    store.save(live);
    clock.advance(Duration.ofSeconds(2));
    InMemorySessionStore memory = (InMemorySessionStore) store;
    assertEquals(java.util.List.of(live.id()), store.findIdsByPrincipal("ada"));
    assertEquals(1, memory.storedSessions(), "the expired session was removed by the read that found it");
    assertEquals(1, memory.principalIndexEntries());
    assertEquals(1, store.stats().expired());
  }

  @Test
  void aRotationRefusedForATakenIdLeavesTheSessionFiledForTheSweep() throws Exception {
    int lost = 0;
    for (int round = 0; round < 300; round++) {
      ScriptedRandom random = new ScriptedRandom(2);
      random.then(1, 1);  // a: tag 1, bits 1
      random.then(1, 2);  // b: tag 1, bits 2, the bits every rotation of a then draws
      InMemorySessionStore memory = (InMemorySessionStore) SessionStores.inMemory().config(config())
          .ids(SessionIds.using(random, SessionIds.DEFAULT_BITS)).clock(clock).build();
      try {
        Session a = memory.create();
        memory.save(a);
        Session b = memory.create();
        memory.save(b);
        clock.advance(IDLE.minusSeconds(1));
        assertTrue(memory.touch(a.id()));
        assertTrue(memory.touch(b.id()));
        clock.advance(Duration.ofSeconds(2));  // past the deadline both are filed under, both live
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch rotating = new CountDownLatch(1);
        Thread rotator = new Thread(() -> {
          while (!stop.get()) {
            try {
              memory.changeId(a);
            } catch (SessionStoreException taken) {
              rotating.countDown();
            }
          }
        });
        rotator.start();
        rotating.await();
        memory.sweep();
        stop.set(true);
        rotator.join();
        clock.advance(IDLE.multipliedBy(2));
        memory.sweep();
        if (memory.storedSessions() != 0) {
          lost++;
        }
      } finally {
        memory.close();
      }
    }
    assertEquals(0, lost, "rounds in which an expired session was never removed: it was no longer filed");
  }

  @Test
  void aSaveRacingARotationRefusedForATakenIdLandsInsteadOfFindingTheSessionGone() throws Exception {
    ScriptedRandom random = new ScriptedRandom(2);
    random.then(1, 1);  // a: tag 1, bits 1
    random.then(1, 2);  // b: tag 1, bits 2, the bits every rotation of a then draws
    SessionStore memory = SessionStores.inMemory().config(config())
        .ids(SessionIds.using(random, SessionIds.DEFAULT_BITS)).clock(clock).build();
    try {
      Session a = memory.create();
      memory.save(a);
      memory.save(memory.create());
      String id = a.id();
      AtomicBoolean stop = new AtomicBoolean();
      java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
      Thread rotator = new Thread(() -> {
        while (!stop.get()) {
          try {
            memory.changeId(a);
          } catch (SessionStoreException taken) {
            refused.incrementAndGet();
          }
        }
      });
      rotator.start();
      long saves = 0;
      int gone = 0;
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < deadline) {
          Session request = memory.find(id).orElseThrow();
          request.set(COUNT, saves);
          try {
            memory.save(request);
            saves++;
          } catch (SessionConflictException e) {
            gone++;
          }
        }
      } finally {
        stop.set(true);
        rotator.join();
      }
      assertTrue(refused.get() > 0, "rotations were refused meanwhile");
      assertEquals(0, gone, "saves refused as gone of " + (saves + gone) + ", the session never went away");
      assertEquals(saves - 1, memory.find(id).orElseThrow().get(COUNT).orElseThrow());
    } finally {
      memory.close();
    }
  }

  @Test
  void createdAndDeletedOrRotatedSessionsLeaveFewFiledKeysEvenWithLongTimeouts() {
    SessionStore longLived = SessionStores.inMemory().config(SessionStoreConfig.builder().name("long")
        .idleTimeout(Duration.ofDays(30)).absoluteTimeout(Duration.ofDays(366)).build()).clock(clock).build();
    try {
      InMemorySessionStore memory = (InMemorySessionStore) longLived;
      Session kept = longLived.create();
      longLived.save(kept);
      for (int i = 0; i < 50_000; i++) {
        Session s = longLived.create();
        s.setPrincipal("user-" + (i % 100));
        longLived.save(s);
        longLived.changeId(s);  // a login
        longLived.delete(s.id());  // a logout
        longLived.changeId(kept);
      }
      assertEquals(1, longLived.activeSessions().orElseThrow());
      assertTrue(memory.filedKeys() <= 2 + InMemorySessionStore.COMPACTION_SLACK,
          "keys filed for 150,000 gone ids are dropped once they outnumber the live sessions: " + memory.filedKeys());
      clock.advance(Duration.ofDays(31));
      assertEquals(0, longLived.activeSessions().orElseThrow());
      assertEquals(0, memory.filedKeys());
    } finally {
      longLived.close();
    }
  }

  /** Fills each draw with the next scripted byte values, then with {@code fill}. */
  private static final class ScriptedRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final java.util.concurrent.ConcurrentLinkedQueue<Integer> script =
        new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final int fill;

    ScriptedRandom(int fill) {
      this.fill = fill;
    }

    void then(int... values) {
      for (int v : values) {
        script.add(v);
      }
    }

    @Override
    public void nextBytes(byte[] bytes) {
      Integer next = script.poll();
      Arrays.fill(bytes, (byte) (next == null ? fill : next));
    }
  }
}
