/** ScaleBlocks session. */
package io.scaleblocks.session;
