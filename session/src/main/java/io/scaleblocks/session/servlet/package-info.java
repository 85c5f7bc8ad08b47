/**
 * Sessions for Jakarta Servlet 6 containers (Jetty 12, Tomcat 10.1/11, Spring Boot 3/4): {@link
 * io.scaleblocks.session.servlet.SessionServletFilter}. Needs {@code jakarta.servlet-api} on the
 * class path, which the container provides.
 */
package io.scaleblocks.session.servlet;
