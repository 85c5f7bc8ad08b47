package io.scaleblocks.session.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scaleblocks.session.Session;
import io.scaleblocks.session.SessionConflictException;
import io.scaleblocks.session.SessionStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * {@code deleteByPrincipal} racing rotations of the principal's sessions, round after round: a
 * session rotated while the log-out runs must not survive it, and the index must be left empty.
 */
final class LogOutEverywhereRace {

  private LogOutEverywhereRace() {}

  /** Runs {@code rounds} races of {@code sessions} sessions each; {@code indexSize} reads the raw index. */
  static void run(SessionStore store, String principal, int rounds, int sessions, LongSupplier indexSize)
      throws InterruptedException {
    int survivors = 0;
    long leftInIndex = 0;
    for (int round = 0; round < rounds; round++) {
      List<Session> handles = new ArrayList<>();
      for (int i = 0; i < sessions; i++) {
        Session s = store.create();
        s.setPrincipal(principal);
        store.save(s);
        handles.add(s);
      }
      CountDownLatch started = new CountDownLatch(sessions);
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> rotators = new ArrayList<>();
      for (Session s : handles) {
        Thread rotator = new Thread(() -> {
          started.countDown();
          try {
            while (!stop.get()) {
              store.changeId(s);
            }
          } catch (SessionConflictException e) {
            // deleted: this rotation loop ends
          }
        });
        rotator.start();
        rotators.add(rotator);
      }
      started.await();
      try {
        store.deleteByPrincipal(principal);
      } finally {
        // a log-out that threw must not leave rotators running into the tests after this one
        stop.set(true);
        for (Thread rotator : rotators) {
          rotator.join();
        }
      }
      for (Session s : handles) {
        if (store.find(s.id()).isPresent()) {
          survivors++;
          store.delete(s.id());
        }
      }
      leftInIndex += indexSize.getAsLong();
      store.findIdsByPrincipal(principal).forEach(store::delete);
    }
    assertEquals(0, survivors, "sessions alive after deleteByPrincipal, over " + rounds + " rounds");
    assertEquals(0, leftInIndex, "index members left after the races ended, summed over " + rounds + " rounds");
  }
}
