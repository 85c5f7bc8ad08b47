/** The Redis Streams backend of the queue, on Jedis; loaded only by users of this package. */
package io.scaleblocks.queue.redis;
