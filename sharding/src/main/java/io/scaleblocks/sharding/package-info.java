/** ScaleBlocks sharding. */
package io.scaleblocks.sharding;
