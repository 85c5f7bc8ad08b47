package io.scaleblocks.queue;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** The README's first example, compiled and run by {@link ReadmeExampleTest}. */
final class ReadmeExample {

  static void resize(Path directory, List<String> resized) throws InterruptedException {
    // README-BEGIN
    try (MessageQueue queue = MessageQueues.open(directory, QueueConfig.defaults())) {
      queue.publish("photos", "resize:42".getBytes(UTF_8));        // returns once fsync'd
      CountDownLatch done = new CountDownLatch(1);
      Worker worker = Worker.builder(queue, "photos", "thumbnails")  // a consumer group
          .concurrency(8)                                            // handlers at once
          .handler(message -> {                                      // throws: nack, retry,
            resized.add(new String(message.payload(), UTF_8));       //   then a dead letter
            done.countDown();
          })
          .start();
      done.await();
      worker.shutdown(Duration.ofSeconds(10));         // running handlers finish or go back
    }
    // README-END
  }

  private ReadmeExample() {}
}
