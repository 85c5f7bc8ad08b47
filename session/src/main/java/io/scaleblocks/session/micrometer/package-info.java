/** Micrometer meters of a session store: {@link io.scaleblocks.session.micrometer.SessionStoreMetrics}. */
package io.scaleblocks.session.micrometer;
