/** ScaleBlocks queue. */
package io.scaleblocks.queue;
