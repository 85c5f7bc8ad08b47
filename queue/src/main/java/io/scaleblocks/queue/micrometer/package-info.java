/** The Micrometer binder of the queue; loaded only by users of this package. */
package io.scaleblocks.queue.micrometer;
