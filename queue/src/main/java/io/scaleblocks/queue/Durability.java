package io.scaleblocks.queue;

/**
 * When a publish (and an acknowledgement) returns, relative to {@code fsync}.
 *
 * <p>On the file log every policy survives a crash of the process ({@code kill -9}): a record is in
 * the operating system's page cache before the call returns. The policies differ on a power cut or
 * a kernel crash. On Redis the server's {@code appendonly}/{@code appendfsync} decide; the backend
 * warns at start when they are weaker than the policy asked for.
 */
public enum Durability {
  /**
   * One {@code fsync} per publish or acknowledgement call, before it returns. Async publishes
   * ({@link MessageQueue#publishAsync}) share the flush thread's {@code fsync}s as under
   * {@link #GROUP_COMMIT}: a future completes after an {@code fsync} that began after its write.
   */
  EVERY_PUBLISH,
  /**
   * Callers that arrive while an {@code fsync} runs share the next one; each call returns after the
   * {@code fsync} that covers its record. Survives a power cut like {@link #EVERY_PUBLISH}.
   */
  GROUP_COMMIT,
  /** An {@code fsync} every {@link QueueConfig#fsyncInterval()}: a power cut loses at most that. */
  INTERVAL,
  /** No {@code fsync} except at close: a power cut loses what the kernel had not written back. */
  NONE
}
