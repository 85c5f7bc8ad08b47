package io.scaleblocks.queue;

/** What a {@link Worker} runs for each delivery. Returning acknowledges it; throwing nacks it. */
@FunctionalInterface
public interface MessageHandler {

  void handle(Message message) throws Exception;
}
