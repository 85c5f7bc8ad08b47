/**
 * One convention for reading settings from a map or {@link java.util.Properties}, shared by every
 * module's {@code from(Map)} form; see {@link io.scaleblocks.config.Settings}.
 */
package io.scaleblocks.config;
