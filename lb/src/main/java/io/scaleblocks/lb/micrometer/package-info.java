/** Micrometer binder for the load balancers; the only place that loads Micrometer. */
package io.scaleblocks.lb.micrometer;
