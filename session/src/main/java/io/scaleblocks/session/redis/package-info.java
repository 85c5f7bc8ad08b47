/**
 * The Redis store, through Jedis' {@code UnifiedJedis}: a standalone {@code RedisClient} or a
 * {@code RedisClusterClient}. See {@link io.scaleblocks.session.redis.RedisSessionStores}.
 */
package io.scaleblocks.session.redis;
