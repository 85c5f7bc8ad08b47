/** Micrometer binding of the cache (an optional dependency: only this package loads it). */
package io.scaleblocks.cache.micrometer;
