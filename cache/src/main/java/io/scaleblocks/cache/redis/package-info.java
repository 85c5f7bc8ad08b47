/**
 * The Redis backend of the cache, through Jedis (an optional dependency: only this package
 * loads it).
 */
package io.scaleblocks.cache.redis;
