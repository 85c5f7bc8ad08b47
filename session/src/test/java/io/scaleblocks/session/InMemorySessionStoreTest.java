package io.scaleblocks.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class InMemorySessionStoreTest extends SessionStoreContract {

  @Override
  protected SessionStore newStore(SessionStoreConfig config, SessionIds ids, MutableClock clock) {
    return SessionStores.inMemory().config(config).ids(ids).clock(clock).build();
  }

  @Test
  void noPrincipalIndexEntryIsLeftAfterTenThousandSessionsExpire() {
    for (int i = 0; i < 10_000; i++) {
      Session s = store.create();
      s.setPrincipal("user-" + (i % 100));
      store.save(s);
    }
    InMemorySessionStore memory = (InMemorySessionStore) store;
    assertEquals(10_000, memory.principalIndexEntries());
    clock.advance(IDLE.plus(Duration.ofSeconds(1)));
    assertEquals(0, store.activeSessions().orElseThrow());
    assertEquals(10_000, store.stats().expired());
    assertEquals(0, memory.principalIndexEntries());
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
}
