package io.scaleblocks.queue;

/** A bounded topic stayed full: nothing of the publish was written. */
public final class QueueFullException extends QueueException {

  private static final long serialVersionUID = 1L;

  public QueueFullException(String message) {
    super(message);
  }
}
