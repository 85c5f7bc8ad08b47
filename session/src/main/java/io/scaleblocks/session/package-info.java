/**
 * Sessions kept outside the web server, so that any server can answer any request: the
 * {@link io.scaleblocks.session.SessionStore} SPI, its in-memory store ({@link
 * io.scaleblocks.session.SessionStores#inMemory()}), secure ids, timeouts and codecs.
 *
 * <p>Nothing in this package accepts or returns {@code null}: absent values are {@link
 * java.util.Optional}.
 */
package io.scaleblocks.session;
