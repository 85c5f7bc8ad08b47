package io.scaleblocks.queue;

/** A payload over {@link QueueConfig#maxMessageBytes()}: nothing of the publish was written. */
public final class RecordTooLargeException extends QueueException {

  private static final long serialVersionUID = 1L;

  public RecordTooLargeException(String message) {
    super(message);
  }
}
