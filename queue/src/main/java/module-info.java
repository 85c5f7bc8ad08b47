/** A durable message queue: an embedded segmented log, Redis Streams, one contract. */
module io.scaleblocks.queue {
  requires io.scaleblocks.config;
  requires org.slf4j;
  requires java.management;
  requires static redis.clients.jedis;
  requires static micrometer.core;

  exports io.scaleblocks.queue;
  exports io.scaleblocks.queue.redis;
  exports io.scaleblocks.queue.micrometer;
}
