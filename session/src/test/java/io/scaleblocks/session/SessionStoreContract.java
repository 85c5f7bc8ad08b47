package io.scaleblocks.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one contract of {@link SessionStore}: every store runs it through a subclass that says how
 * to build the store. Time is a {@link MutableClock} the test moves; the stores compare every
 * deadline with that clock, so an expired session is refused whether or not the backend has
 * removed it yet.
 */
public abstract class SessionStoreContract {

  protected static final SessionAttribute<String> USER = SessionAttribute.string("user");
  protected static final SessionAttribute<Long> COUNT = SessionAttribute.longValue("count");
  protected static final SessionAttribute<byte[]> BLOB = SessionAttribute.of("blob", SessionCodecs.bytes());

  protected static final Duration IDLE = Duration.ofMinutes(10);
  protected static final Duration ABSOLUTE = Duration.ofMinutes(60);
  protected static final Duration RENEWAL = Duration.ofMinutes(30);

  protected final MutableClock clock = new MutableClock();
  protected SessionStore store;

  protected SessionStoreContract() {}

  /** A store on a clean backend, with this config, ids and clock. */
  protected abstract SessionStore newStore(SessionStoreConfig config, SessionIds ids, MutableClock clock);

  protected SessionStoreConfig config() {
    return SessionStoreConfig.builder().name("contract").idleTimeout(IDLE).absoluteTimeout(ABSOLUTE)
        .renewalTimeout(RENEWAL).build();
  }

  @BeforeEach
  void openStore() {
    store = newStore(config(), SessionIds.secure(), clock);
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  protected Session saved(String user) {
    Session s = store.create();
    s.set(USER, user);
    store.save(s);
    return s;
  }

  @Test
  void savedSessionIsFoundWithItsTypedAttributes() {
    Session s = store.create();
    assertTrue(s.isNew());
    s.set(USER, "ada");
    s.set(COUNT, 42L);
    s.set(BLOB, new byte[] {1, 2, 3});
    store.save(s);
    assertFalse(s.isNew());

    Session found = store.find(s.id()).orElseThrow();
    assertEquals(Optional.of("ada"), found.get(USER));
    assertEquals(Optional.of(42L), found.get(COUNT));
    assertArrayEquals(new byte[] {1, 2, 3}, found.get(BLOB).orElseThrow());
    assertEquals(Set.of("user", "count", "blob"), found.attributeNames());
    assertEquals(s.creationTime(), found.creationTime());
    assertEquals(IDLE, found.idleTimeout());
    assertEquals(Optional.of(RENEWAL), found.renewalTimeout());
  }

  @Test
  void aNullPrincipalIsRefusedByName() {
    NullPointerException e = assertThrows(NullPointerException.class, () -> store.findIdsByPrincipal(null));
    assertEquals("principal", e.getMessage());
  }

  @Test
  void aCreatedButUnsavedSessionDoesNotExist() {
    Session s = store.create();
    assertEquals(Optional.empty(), store.find(s.id()));
    assertFalse(store.touch(s.id()));
  }

  @Test
  void removedAndChangedAttributesAreWrittenAndOthersKept() {
    Session s = store.create();
    s.set(USER, "ada");
    s.set(COUNT, 1L);
    store.save(s);

    Session found = store.find(s.id()).orElseThrow();
    found.remove(USER);
    found.set(COUNT, 2L);
    store.save(found);

    Session again = store.find(s.id()).orElseThrow();
    assertEquals(Optional.empty(), again.get(USER));
    assertEquals(Optional.of(2L), again.get(COUNT));
    assertEquals(Set.of("count"), again.attributeNames());
  }

  @Test
  void aHandleSavedTwiceWritesItsLaterChangesToo() {
    Session s = saved("ada");
    s.set(COUNT, 1L);
    store.save(s);
    s.set(COUNT, 2L);
    store.save(s);
    assertEquals(Optional.of(2L), store.find(s.id()).orElseThrow().get(COUNT));
  }

  @Test
  void findRestartsTheIdleTimeout() {
    Session s = saved("ada");
    Duration step = IDLE.dividedBy(2);
    for (int i = 0; i < 3; i++) {
      clock.advance(step);
      Session found = store.find(s.id()).orElseThrow();
      assertEquals(clock.instant(), found.lastAccessTime());
    }
    clock.advance(step);
    assertTrue(store.touch(s.id()));
    clock.advance(IDLE.minusSeconds(1));
    assertTrue(store.find(s.id()).isPresent());
  }

  @Test
  void aSessionPastItsIdleTimeoutIsNeverReturned() {
    Session s = saved("ada");
    clock.advance(IDLE);
    assertEquals(Optional.empty(), store.find(s.id()));
    assertFalse(store.touch(s.id()));
  }

  @Test
  void aSessionPastItsAbsoluteTimeoutIsNeverReturnedHoweverBusy() {
    SessionStore noRenewal = newStore(SessionStoreConfig.builder().name("absolute").idleTimeout(IDLE)
        .absoluteTimeout(ABSOLUTE).build(), SessionIds.secure(), clock);
    try {
      Session s = noRenewal.create();
      noRenewal.save(s);
      long steps = ABSOLUTE.toMinutes() / 5;
      for (int i = 1; i < steps; i++) {
        clock.advance(Duration.ofMinutes(5));
        assertTrue(noRenewal.find(s.id()).isPresent(), "alive at step " + i);
      }
      clock.advance(Duration.ofMinutes(5));
      assertEquals(Optional.empty(), noRenewal.find(s.id()));
    } finally {
      noRenewal.close();
    }
  }

  @Test
  void aSessionPastItsRenewalTimeoutIsNeverReturnedUnlessItsIdWasChanged() {
    Session renewed = saved("renewed");
    Session stale = saved("stale");
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofMinutes(5));
      store.touch(renewed.id());
      store.touch(stale.id());
    }
    store.changeId(renewed);
    clock.advance(Duration.ofMinutes(5));
    store.touch(renewed.id());
    assertEquals(Optional.empty(), store.find(stale.id()), "30 minutes after its id was issued");
    assertTrue(store.find(renewed.id()).isPresent(), "renewed 5 minutes ago");
  }

  @Test
  void savingAnExpiredSessionIsRefusedAsGone() {
    Session s = saved("ada");
    clock.advance(IDLE);
    s.set(COUNT, 1L);
    SessionConflictException e = assertThrows(SessionConflictException.class, () -> store.save(s));
    assertEquals(SessionConflictException.Reason.SESSION_GONE, e.reason());
    assertEquals(Optional.empty(), store.find(s.id()));
  }

  @Test
  void aNewSessionWhoseDeadlinePassedBeforeItsFirstSaveIsRefusedAsGone() {
    Session s = store.create();
    s.set(USER, "ada");
    clock.advance(RENEWAL);
    SessionConflictException e = assertThrows(SessionConflictException.class, () -> store.save(s));
    assertEquals(SessionConflictException.Reason.SESSION_GONE, e.reason());
    assertEquals(Optional.empty(), store.find(s.id()));
    assertEquals(0, store.stats().created(), "nothing was saved");
    assertEquals(1, store.stats().conflicts());
  }

  @Test
  void deleteRemovesTheSessionAndDeletingAnAbsentOneIsFine() {
    Session s = saved("ada");
    store.delete(s.id());
    assertEquals(Optional.empty(), store.find(s.id()));
    store.delete(s.id());
    assertEquals(1, store.stats().deleted());
  }

  @Test
  void changeIdMovesTheSessionToAFreshIdAndTheOldIdFindsNothing() {
    Session s = saved("ada");
    String old = s.id();
    store.changeId(s);
    assertNotEquals(old, s.id());
    assertEquals(SessionIds.tagOf(old), SessionIds.tagOf(s.id()));
    assertEquals(Optional.empty(), store.find(old));
    assertFalse(store.touch(old));
    Session found = store.find(s.id()).orElseThrow();
    assertEquals(Optional.of("ada"), found.get(USER));
    assertEquals(clock.instant(), found.renewedTime());
    assertEquals(1, store.stats().idRotations());
  }

  @Test
  void aHandleLoadedUnderTheOldIdCannotSaveAfterARotation() {
    Session s = saved("ada");
    Session other = store.find(s.id()).orElseThrow();
    store.changeId(s);
    other.set(COUNT, 7L);
    SessionConflictException e = assertThrows(SessionConflictException.class, () -> store.save(other));
    assertEquals(SessionConflictException.Reason.SESSION_GONE, e.reason());
    assertEquals(Optional.empty(), store.find(s.id()).orElseThrow().get(COUNT));
  }

  @Test
  void changingTheIdOfAnUnsavedSessionJustGivesItANewId() {
    Session s = store.create();
    String old = s.id();
    store.changeId(s);
    assertNotEquals(old, s.id());
    store.save(s);
    assertTrue(store.find(s.id()).isPresent());
    assertEquals(Optional.empty(), store.find(old));
  }

  @Test
  void changingTheIdOfAGoneSessionIsRefused() {
    Session s = saved("ada");
    store.delete(s.id());
    SessionConflictException e = assertThrows(SessionConflictException.class, () -> store.changeId(s));
    assertEquals(SessionConflictException.Reason.SESSION_GONE, e.reason());
  }

  @Test
  void theFirstSaveOfAnAttributeWinsAndTheLaterOneIsRefusedWhole() {
    Session s = saved("ada");
    Session first = store.find(s.id()).orElseThrow();
    Session second = store.find(s.id()).orElseThrow();
    first.set(USER, "first");
    second.set(USER, "second");
    second.set(COUNT, 99L);
    store.save(first);

    SessionConflictException e = assertThrows(SessionConflictException.class, () -> store.save(second));
    assertEquals(SessionConflictException.Reason.ATTRIBUTE_CHANGED, e.reason());
    assertEquals(List.of("user"), e.attributes());
    assertTrue(e.getMessage().contains("[user]"), e.getMessage());
    Session now = store.find(s.id()).orElseThrow();
    assertEquals(Optional.of("first"), now.get(USER));
    assertEquals(Optional.empty(), now.get(COUNT), "nothing of a refused save is applied");
    assertEquals(1, store.stats().conflicts());
  }

  @Test
  void aRemovalConflictsWithAConcurrentWriteOfTheSameAttribute() {
    Session s = saved("ada");
    Session writer = store.find(s.id()).orElseThrow();
    Session remover = store.find(s.id()).orElseThrow();
    writer.set(USER, "grace");
    store.save(writer);
    remover.remove(USER);
    assertThrows(SessionConflictException.class, () -> store.save(remover));
    assertEquals(Optional.of("grace"), store.find(s.id()).orElseThrow().get(USER));
  }

  @Test
  void anAttributeRemovedAndSetAgainStillConflictsWithAHandleFromBefore() {
    Session s = saved("ada");
    Session old = store.find(s.id()).orElseThrow();
    Session remover = store.find(s.id()).orElseThrow();
    remover.remove(USER);
    store.save(remover);
    Session setter = store.find(s.id()).orElseThrow();
    setter.set(USER, "grace");
    store.save(setter);
    old.set(USER, "stale");
    assertThrows(SessionConflictException.class, () -> store.save(old));
    assertEquals(Optional.of("grace"), store.find(s.id()).orElseThrow().get(USER));
  }

  @Test
  void sixtyFourConcurrentRequestsSettingTheirOwnAttributeLoseNothing() throws Exception {
    Session s = saved("ada");
    int requests = 64;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(requests);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        String name = "attr-" + i;
        futures.add(pool.submit(() -> {
          start.await();
          Session mine = store.find(s.id()).orElseThrow();
          mine.set(SessionAttribute.string(name), name);
          store.save(mine);
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    Session after = store.find(s.id()).orElseThrow();
    for (int i = 0; i < requests; i++) {
      assertEquals(Optional.of("attr-" + i), after.get(SessionAttribute.string("attr-" + i)), "attr-" + i);
    }
    assertEquals(Optional.of("ada"), after.get(USER));
    assertEquals(0, store.stats().conflicts());
  }

  @Test
  void sixtyFourConcurrentRequestsThroughTheHttpServerFilterLoseNothing() throws Exception {
    io.scaleblocks.session.httpserver.HttpSessionFilterConcurrency.sixtyFourRequestsLoseNothing(store, clock);
  }

  @Test
  void incrementsOfOneAttributeRetriedOnConflictLoseNothing() throws Exception {
    Session s = saved("ada");
    int threads = 8;
    int each = 20;
    AtomicInteger conflicts = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> {
          for (int i = 0; i < each; i++) {
            while (true) {
              Session mine = store.find(s.id()).orElseThrow();
              mine.set(COUNT, mine.get(COUNT).orElse(0L) + 1);
              try {
                store.save(mine);
                break;
              } catch (SessionConflictException e) {
                conflicts.incrementAndGet();
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(Optional.of((long) threads * each), store.find(s.id()).orElseThrow().get(COUNT));
    assertEquals(conflicts.get(), store.stats().conflicts(), "every refused save was reported");
  }

  @Test
  void thePrincipalIndexListsLiveSessionsOnly() {
    if (!store.supportsPrincipalIndex()) {
      assertThrows(UnsupportedOperationException.class, () -> store.findIdsByPrincipal("ada"));
      return;
    }
    Session a = withPrincipal("ada");
    Session b = withPrincipal("ada");
    Session c = withPrincipal("ada");
    Session g = withPrincipal("grace");
    assertEquals(Set.of(a.id(), b.id(), c.id()), new HashSet<>(store.findIdsByPrincipal("ada")));

    store.delete(a.id());
    Session moved = store.find(b.id()).orElseThrow();
    moved.setPrincipal("grace");
    store.save(moved);
    store.changeId(c);
    assertEquals(List.of(c.id()), store.findIdsByPrincipal("ada"));
    assertEquals(Set.of(g.id(), b.id()), new HashSet<>(store.findIdsByPrincipal("grace")));

    clock.advance(IDLE.minusMinutes(1));
    store.touch(g.id());
    clock.advance(Duration.ofMinutes(2));
    assertEquals(List.of(), store.findIdsByPrincipal("ada"), "expired");
    assertEquals(List.of(g.id()), store.findIdsByPrincipal("grace"));
    assertEquals(1, store.deleteByPrincipal("grace"));
    assertEquals(Optional.empty(), store.find(g.id()));
    assertEquals(List.of(), store.findIdsByPrincipal("nobody"));
  }

  private Session withPrincipal(String principal) {
    Session s = store.create();
    s.setPrincipal(principal);
    store.save(s);
    return s;
  }

  @Test
  void strictIdsRefuseIdsOfAnotherShapeWithoutAnError() {
    assertEquals(Optional.empty(), store.find("not-an-id"));
    assertEquals(Optional.empty(), store.find(""));
    assertEquals(Optional.empty(), store.find("x".repeat(SessionIds.secure().length())+ "\n"));
    assertFalse(store.touch("../../etc/passwd"));
    assertEquals(4, store.stats().malformedIds());
  }

  @Test
  void idsPrincipalsAndAttributeNamesAreCaseSensitive() {
    SessionAttribute<String> upper = SessionAttribute.string("User");
    Session s = store.create();
    s.set(USER, "lower");
    s.set(upper, "upper");
    s.setPrincipal("ada");
    store.save(s);
    String swapped = swapCase(s.id());
    assertNotEquals(s.id(), swapped);
    assertEquals(Optional.empty(), store.find(swapped), "an id with its letters' case swapped");
    assertFalse(store.touch(swapped));
    store.delete(swapped);
    Session found = store.find(s.id()).orElseThrow();
    assertEquals(Optional.of("lower"), found.get(USER));
    assertEquals(Optional.of("upper"), found.get(upper));
    found.set(upper, "UPPER");
    store.save(found);
    assertEquals(Optional.of("lower"), store.find(s.id()).orElseThrow().get(USER));
    if (store.supportsPrincipalIndex()) {
      assertEquals(List.of(), store.findIdsByPrincipal("ADA"));
      assertEquals(List.of(s.id()), store.findIdsByPrincipal("ada"));
    }
  }

  private static String swapCase(String id) {
    StringBuilder b = new StringBuilder(id.length());
    for (char c : id.toCharArray()) {
      b.append(Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
    }
    return b.toString();
  }

  @Test
  void aGarbledValueGivesACodecExceptionNamingTheSessionAndAttribute() {
    Session s = store.create();
    s.set(SessionAttribute.of("count", SessionCodecs.bytes()), new byte[] {1, 2, 3});
    s.set(USER, "ada");
    store.save(s);
    Session found = store.find(s.id()).orElseThrow();
    SessionCodecException e = assertThrows(SessionCodecException.class, () -> found.get(COUNT));
    assertEquals("count", e.attribute());
    assertTrue(e.getMessage().contains("'count'") && e.getMessage().contains(s.id().substring(0, 10)),
        e.getMessage());
    assertFalse(e.getMessage().contains(s.id()), "the whole id is a credential and stays out of messages");
    assertEquals(Optional.of("ada"), found.get(USER), "the other attributes stay readable");
  }

  @Test
  void aLatencyListenerThatThrowsNeverBreaksACall() {
    List<String> heard = new ArrayList<>();
    for (Throwable thrown : List.of(new IllegalStateException("listener bug"),
        new NoClassDefFoundError("io/micrometer/core/instrument/Timer"))) {
      store.latencyListener((operation, nanos, failed) -> {
        heard.add(operation);
        if (thrown instanceof RuntimeException r) {
          throw r;
        }
        throw (Error) thrown;
      });
      Session s = store.create();
      s.set(USER, "ada");
      s.setPrincipal("listener-" + heard.size());
      store.save(s);
      Session found = store.find(s.id()).orElseThrow();
      found.set(COUNT, 1L);
      store.save(found);
      assertTrue(store.touch(found.id()));
      store.changeId(found);
      assertEquals(Optional.of(1L), store.find(found.id()).orElseThrow().get(COUNT), thrown.toString());
      store.delete(found.id());
      assertEquals(Optional.empty(), store.find(found.id()));
    }
    assertTrue(heard.containsAll(List.of("find", "save", "touch", "changeId", "delete")), heard.toString());
  }

  @Test
  void aPrincipalWithAControlCharacterIsRefusedWhenSetNotFailedAsAnOutageWhenSaved() {
    Session s = store.create();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.setPrincipal("ada\u0000"));
    assertFalse(e.getMessage().contains("\u0000"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> s.setPrincipal("ada\nbob"));
    s.setPrincipal("ada");
    store.save(s);
    assertEquals(List.of(s.id()), store.findIdsByPrincipal("ada"));
  }

  @Test
  void aLoneSurrogateInANameOrPrincipalIsRefusedWhileAPairIsKeptAsGiven() {
    // UTF-8 has no encoding for a lone surrogate: "n\uD800" and "n\uDC00" would both be stored as "n?"
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SessionAttribute.string("n\uD800"));
    assertTrue(e.getMessage().contains("index 1"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SessionAttribute.string("n\uDC00x"));
    assertThrows(IllegalArgumentException.class, () -> SessionAttribute.string("\uDE00\uD83D"));
    Session s = store.create();
    assertThrows(IllegalArgumentException.class, () -> s.setPrincipal("ada\uD800"));
    assertThrows(IllegalArgumentException.class, () -> s.setPrincipal("\uDFFFada"));
    keptApart("n\uD83D\uDE00", "n\uD83D\uDE09", "ada\uD83D\uDE00", "ada\uD83D\uDE09");
  }

  @Test
  void namesAndPrincipalsThatDifferOnlyInTrailingSpacesAreKeptApart() {
    keptApart("n", "n ", "ada ", "ada");
  }

  /**
   * Saves a session with attributes {@code name} and {@code otherName} and the principal
   * {@code principal}, and finds each as given: neither name taken for the other, nor
   * {@code principal} for {@code otherPrincipal}.
   */
  private void keptApart(String name, String otherName, String principal, String otherPrincipal) {
    SessionAttribute<String> one = SessionAttribute.string(name);
    SessionAttribute<String> other = SessionAttribute.string(otherName);
    Session s = store.create();
    s.set(one, "one");
    s.set(other, "other");
    s.setPrincipal(principal);
    store.save(s);
    Session found = store.find(s.id()).orElseThrow();
    assertEquals(Optional.of("one"), found.get(one));
    assertEquals(Optional.of("other"), found.get(other));
    assertEquals(Optional.of(principal), found.principal());
    if (store.supportsPrincipalIndex()) {
      assertEquals(List.of(s.id()), store.findIdsByPrincipal(principal));
      assertEquals(List.of(), store.findIdsByPrincipal(otherPrincipal), "another principal");
    }
  }

  @Test
  void aNameAndAPrincipalOfTheLongestLengthInCharactersOfThreeUtf8BytesAreKept() {
    SessionAttribute<String> longest = SessionAttribute.string("\u20AC".repeat(SessionAttribute.MAX_NAME_LENGTH));
    String principal = "\u20AC".repeat(255);
    Session s = store.create();
    s.set(longest, "euro");
    s.setPrincipal(principal);
    store.save(s);
    Session found = store.find(s.id()).orElseThrow();
    assertEquals(Optional.of("euro"), found.get(longest));
    assertEquals(Optional.of(principal), found.principal());
    if (store.supportsPrincipalIndex()) {
      assertEquals(List.of(s.id()), store.findIdsByPrincipal(principal));
    }
  }

  @Test
  void statsCountCreatedSessions() {
    saved("a");
    saved("b");
    assertEquals(2, store.stats().created());
  }

  @Test
  void changeIdUnderConcurrentFindsLeavesNoWindowWithBothOrNeitherId() throws Exception {
    SecureRandom storeRandom = SecureRandom.getInstance("SHA1PRNG");
    SecureRandom twinRandom = SecureRandom.getInstance("SHA1PRNG");
    storeRandom.setSeed(20_261_201L);
    twinRandom.setSeed(20_261_201L);
    SessionIds twin = SessionIds.using(twinRandom, SessionIds.DEFAULT_BITS);
    SessionStore rotating = newStore(config(), SessionIds.using(storeRandom, SessionIds.DEFAULT_BITS), clock);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < rotationRounds(); round++) {
        Session s = rotating.create();
        assertEquals(twin.next(), s.id());
        rotating.save(s);
        String oldId = s.id();
        String newId = twin.nextKeepingTag(oldId);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        Future<String> oldFirst = pool.submit(() -> {
          while (!stop.get()) {
            boolean old = rotating.find(oldId).isPresent();
            boolean fresh = rotating.find(newId).isPresent();
            reads.incrementAndGet();
            if (!old && !fresh) {
              return "neither id worked";
            }
          }
          return null;
        });
        Future<String> newFirst = pool.submit(() -> {
          while (!stop.get()) {
            boolean fresh = rotating.find(newId).isPresent();
            boolean old = rotating.find(oldId).isPresent();
            reads.incrementAndGet();
            if (fresh && old) {
              return "both ids worked";
            }
          }
          return null;
        });
        waitForReads(reads, 10);
        rotating.changeId(s);
        assertEquals(newId, s.id());
        waitForReads(reads, reads.get() + 10);
        stop.set(true);
        assertEquals(null, oldFirst.get(30, TimeUnit.SECONDS), "round " + round);
        assertEquals(null, newFirst.get(30, TimeUnit.SECONDS), "round " + round);
      }
    } finally {
      pool.shutdownNow();
      rotating.close();
    }
  }

  @Test
  void deletingASessionPastItsDeadlineCountsItExpiredNotDeleted() {
    Session expired = saved("ada");
    Session live = saved("bob");
    clock.advance(IDLE.minusSeconds(1));
    store.touch(live.id());
    clock.advance(Duration.ofSeconds(2));
    store.delete(expired.id());
    store.delete(live.id());
    assertEquals(1, store.stats().expired(), "the session whose idle timeout had passed");
    assertEquals(1, store.stats().deleted(), "the live one only");
  }

  /** Rounds of the rotation test; stores with a network round trip per find run fewer. */
  protected int rotationRounds() {
    return 50;
  }

  private static void waitForReads(AtomicLong reads, long atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (reads.get() < atLeast && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
  }
}
