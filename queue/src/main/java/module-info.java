/** A durable message queue: an embedded segmented log, Redis Streams, one contract. */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.scaleblocks.queue {
  requires io.scaleblocks.config;
  requires org.slf4j;
  requires java.management;
  requires static transitive redis.clients.jedis;
  requires static transitive micrometer.core;

  exports io.scaleblocks.queue;
  exports io.scaleblocks.queue.redis;
  exports io.scaleblocks.queue.micrometer;
}
