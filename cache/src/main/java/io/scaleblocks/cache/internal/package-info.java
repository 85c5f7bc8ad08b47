/** Internals shared by the cache packages; not API. */
package io.scaleblocks.cache.internal;
