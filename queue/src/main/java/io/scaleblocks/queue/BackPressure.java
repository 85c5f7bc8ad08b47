package io.scaleblocks.queue;

/** What a publish to a full bounded topic does. */
public enum BackPressure {
  /** Waits up to {@link QueueConfig#publishTimeout()} for room, then fails. */
  BLOCK,
  /** Fails at once. */
  FAIL
}
