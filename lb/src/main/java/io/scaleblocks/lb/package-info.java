/** ScaleBlocks lb. */
package io.scaleblocks.lb;
