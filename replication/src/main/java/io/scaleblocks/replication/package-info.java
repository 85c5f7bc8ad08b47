/** ScaleBlocks replication. */
package io.scaleblocks.replication;
