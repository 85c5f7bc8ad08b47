package io.scaleblocks.session;

/**
 * Run in a JVM of its own by {@code InMemorySessionStoreTest}: whether the shared sweep thread
 * runs while a store is open and has ended once the last store closed and the thread's idle time
 * passed.
 */
final class SweepThreadProbe {

  private SweepThreadProbe() {}

  public static void main(String[] args) throws Exception {
    SessionStore store = SessionStores.inMemory().build();
    store.save(store.create());
    Thread.sleep(InMemorySessionStore.SWEEP_MILLIS + 500);
    System.out.println("running while a store is open: " + sweepThreadRuns());
    store.close();
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (sweepThreadRuns() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    System.out.println("running after the last store closed: " + sweepThreadRuns());
  }

  private static boolean sweepThreadRuns() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals("scaleblocks-session-expiry") && t.isAlive());
  }
}
