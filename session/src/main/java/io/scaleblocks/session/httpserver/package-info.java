/**
 * Sessions for the JDK's {@code com.sun.net.httpserver.HttpServer}: {@link
 * io.scaleblocks.session.httpserver.HttpSessionFilter}.
 */
package io.scaleblocks.session.httpserver;
