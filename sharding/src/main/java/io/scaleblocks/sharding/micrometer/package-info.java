/**
 * Micrometer meters of routers and hot-key detectors; the only package that needs
 * micrometer-core (an optional dependency).
 */
package io.scaleblocks.sharding.micrometer;
