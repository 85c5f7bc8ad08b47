package io.scaleblocks.session.httpserver;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import io.scaleblocks.session.SessionException;
import io.scaleblocks.session.internal.RequestSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;

/**
 * The exchange the handler sees: the server's, except that sending the headers first commits the
 * session, and that after a session failure the response is the failure's and the handler's body
 * goes nowhere.
 */
final class SessionExchange extends HttpExchange {

  final RequestSession requestSession;
  private final HttpExchange delegate;
  private final HttpSessionFilter filter;
  private boolean headersSent;
  private boolean failed;

  SessionExchange(HttpExchange delegate, RequestSession requestSession, HttpSessionFilter filter) {
    this.delegate = delegate;
    this.requestSession = requestSession;
    this.filter = filter;
  }

  boolean headersSent() {
    return headersSent;
  }

  boolean failed() {
    return failed;
  }

  void commit() throws IOException {
    filter.commitBeforeHeaders(this, requestSession);
  }

  /** Answers {@code e} instead of the handler's response (the headers must not be sent yet). */
  void fail(SessionException e) throws IOException {
    if (failed) {
      return;
    }
    failed = true;
    headersSent = true;
    filter.log(e);
    RequestSession.retryAfterOf(e).ifPresent(seconds -> delegate.getResponseHeaders().set("Retry-After", seconds));
    delegate.getResponseHeaders().remove("Set-Cookie");
    delegate.sendResponseHeaders(RequestSession.statusOf(e), -1);
    delegate.close();
  }

  @Override
  public void sendResponseHeaders(int code, long length) throws IOException {
    if (headersSent) {
      if (failed) {
        return;
      }
      throw new IOException("headers already sent");
    }
    if (filter.commitBeforeHeaders(this, requestSession)) {
      headersSent = true;
      delegate.sendResponseHeaders(code, length);
    }
  }

  @Override
  public OutputStream getResponseBody() {
    return failed ? OutputStream.nullOutputStream() : delegate.getResponseBody();
  }

  @Override
  public void close() {
    if (!failed) {
      delegate.close();
    }
  }

  @Override
  public int getResponseCode() {
    return delegate.getResponseCode();
  }

  @Override public Headers getRequestHeaders() {
    return delegate.getRequestHeaders();
  }

  @Override public Headers getResponseHeaders() {
    return delegate.getResponseHeaders();
  }

  @Override public URI getRequestURI() {
    return delegate.getRequestURI();
  }

  @Override public String getRequestMethod() {
    return delegate.getRequestMethod();
  }

  @Override public HttpContext getHttpContext() {
    return delegate.getHttpContext();
  }

  @Override public InputStream getRequestBody() {
    return delegate.getRequestBody();
  }

  @Override public InetSocketAddress getRemoteAddress() {
    return delegate.getRemoteAddress();
  }

  @Override public InetSocketAddress getLocalAddress() {
    return delegate.getLocalAddress();
  }

  @Override public String getProtocol() {
    return delegate.getProtocol();
  }

  @Override public Object getAttribute(String name) {
    return delegate.getAttribute(name);
  }

  @Override public void setAttribute(String name, Object value) {
    delegate.setAttribute(name, value);
  }

  @Override public void setStreams(InputStream in, OutputStream out) {
    delegate.setStreams(in, out);
  }

  @Override public HttpPrincipal getPrincipal() {
    return delegate.getPrincipal();
  }
}
