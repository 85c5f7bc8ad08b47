package io.scaleblocks.queue;

/** The queue's storage failed; the message says what and where. */
public class QueueException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public QueueException(String message) {
    super(message);
  }

  public QueueException(String message, Throwable cause) {
    super(message, cause);
  }
}
