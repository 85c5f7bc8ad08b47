/** ScaleBlocks cache. */
package io.scaleblocks.cache;
