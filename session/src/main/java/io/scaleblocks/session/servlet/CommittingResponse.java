package io.scaleblocks.session.servlet;

import io.scaleblocks.session.SessionException;
import io.scaleblocks.session.internal.RequestSession;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The response the servlet sees: the container's, except that the session is saved before the
 * first byte of the body is written (not when the stream or writer is only obtained), or the
 * response is otherwise committed, and that after a session failure the
 * status is the failure's and the servlet's output is discarded.
 */
final class CommittingResponse extends HttpServletResponseWrapper {

  private final SessionServletFilter filter;
  private final RequestSession state;
  private boolean sessionCommitted;
  private boolean async;
  private boolean failed;
  private SavingStream stream;
  private PrintWriter writer;
  /** The session's {@code Set-Cookie} value this response carries, if it carries one. */
  private String sessionCookie;

  CommittingResponse(HttpServletResponse response, SessionServletFilter filter, RequestSession state) {
    super(response);
    this.filter = filter;
    this.state = state;
  }

  private HttpServletResponse target() {
    return (HttpServletResponse) getResponse();
  }

  /** Saves before the body; throws the session failure for the filter to answer. */
  private void beforeBody() {
    if (!sessionCommitted && !failed) {
      sessionCommitted = true;
      state.commit();
      state.setCookie().ifPresent(value -> {
        target().addHeader("Set-Cookie", value);
        sessionCookie = value;
      });
    }
  }

  /**
   * Makes the response carry {@code value} as its session cookie: in the place of the one it
   * carries (or added, when the servlet replaced that or it had none), keeping every other cookie
   * the servlet set, in their order.
   */
  private void replaceSessionCookie(String value) {
    List<String> cookies = new ArrayList<>(target().getHeaders("Set-Cookie"));
    if (cookies.contains(value)) {
      sessionCookie = value;
      return;
    }
    int at = sessionCookie == null ? -1 : cookies.lastIndexOf(sessionCookie);
    if (at >= 0) {
      // in its place: a browser keeps the last of the cookies of one name, and the servlet may
      // have set one of the session cookie's name before the save
      cookies.set(at, value);
      target().setHeader("Set-Cookie", cookies.get(0));
      cookies.subList(1, cookies.size()).forEach(other -> target().addHeader("Set-Cookie", other));
    } else {
      target().addHeader("Set-Cookie", value);
    }
    sessionCookie = value;
  }

  /**
   * At the end of the request: the first save, or a save of what changed since the body started.
   * A failure of that late save is still answered while the response is not committed; only
   * after that is it logged.
   */
  void commitSession() throws IOException {
    if (failed) {
      return;
    }
    if (!sessionCommitted) {
      beforeBody();
      return;
    }
    try {
      state.commit();
      if (state.setCookie().isPresent() && !target().isCommitted()) {
        replaceSessionCookie(state.setCookie().get());
      }
    } catch (SessionException e) {
      if (!fail(e)) {
        filter.logLate(e);
      }
    }
  }

  /**
   * Before the servlet goes asynchronous: saves what it changed so far, as at the end of a request
   * (a failure becomes the response).
   */
  void commitBeforeAsync() throws IOException {
    commitSession();
  }

  /**
   * Once the container started the asynchronous mode: later saves are the servlet's. Not before,
   * since a container that refuses {@code startAsync} leaves the request synchronous.
   */
  void wentAsync() {
    async = true;
  }

  /** Whether the servlet went asynchronous, after which the filter saves nothing more. */
  boolean isAsync() {
    return async;
  }

  /** After the servlet threw: saves what it changed, without touching the response. */
  void saveAfterServletFailure() {
    if (!failed) {
      state.commit();
    }
  }

  /** Answers {@code e} if the response is not committed; false when it was too late. */
  boolean fail(SessionException e) throws IOException {
    if (target().isCommitted()) {
      return false;
    }
    failed = true;
    filter.log(e);
    target().reset();
    RequestSession.retryAfterOf(e).ifPresent(seconds -> target().setHeader("Retry-After", seconds));
    target().setStatus(RequestSession.statusOf(e));
    target().setContentLength(0);
    target().flushBuffer();
    return true;
  }

  private void guarded(Runnable step) throws IOException {
    try {
      step.run();
    } catch (SessionException e) {
      fail(e);
    }
  }

  /** Before the first byte of the body: saves, or turns the response into the failure's. */
  private boolean beforeWrite() throws IOException {
    if (!sessionCommitted && !failed) {
      guarded(this::beforeBody);
    }
    return !failed;
  }

  @Override
  public ServletOutputStream getOutputStream() throws IOException {
    if (failed) {
      return new DiscardingStream();
    }
    if (stream == null) {
      stream = new SavingStream(super.getOutputStream());
    }
    return stream;
  }

  @Override
  public PrintWriter getWriter() throws IOException {
    if (failed) {
      return new PrintWriter(new OutputStreamWriter(OutputStream.nullOutputStream(), StandardCharsets.UTF_8));
    }
    if (writer == null) {
      writer = new PrintWriter(new SavingWriter(super.getWriter()));
    }
    return writer;
  }

  @Override
  public void flushBuffer() throws IOException {
    guarded(this::beforeBody);
    if (!failed) {
      super.flushBuffer();
    }
  }

  @Override
  public void sendError(int sc, String msg) throws IOException {
    guarded(this::beforeBody);
    if (!failed) {
      super.sendError(sc, msg);
    }
  }

  @Override
  public void sendError(int sc) throws IOException {
    guarded(this::beforeBody);
    if (!failed) {
      super.sendError(sc);
    }
  }

  @Override
  public void sendRedirect(String location) throws IOException {
    guarded(this::beforeBody);
    if (!failed) {
      super.sendRedirect(location);
    }
  }

  /**
   * The container's reset, which drops every header: the cookie of a session saved before it goes
   * back at once, so a response that commits after it (a redirect, a large body) still carries it.
   */
  @Override
  public void reset() {
    super.reset();
    if (sessionCookie != null && !failed) {
      target().addHeader("Set-Cookie", sessionCookie);
    }
  }

  @Override
  public void setStatus(int sc) {
    if (!failed) {
      super.setStatus(sc);
    }
  }

  /** The container's stream, saving the session before the first byte and discarding after a failure. */
  private final class SavingStream extends ServletOutputStream {
    private final ServletOutputStream out;

    SavingStream(ServletOutputStream out) {
      this.out = out;
    }

    @Override public boolean isReady() {
      return failed || out.isReady();
    }

    @Override public void setWriteListener(WriteListener listener) {
      out.setWriteListener(listener);
    }

    @Override public void write(int b) throws IOException {
      if (beforeWrite()) {
        out.write(b);
      }
    }

    @Override public void write(byte[] b, int off, int len) throws IOException {
      if (beforeWrite()) {
        out.write(b, off, len);
      }
    }

    @Override public void flush() throws IOException {
      if (beforeWrite()) {
        out.flush();
      }
    }

    @Override public void close() throws IOException {
      if (beforeWrite()) {
        out.close();
      }
    }
  }

  /** The container's writer, saving the session before the first character and discarding after a failure. */
  private final class SavingWriter extends java.io.Writer {
    private final PrintWriter out;

    SavingWriter(PrintWriter out) {
      this.out = out;
    }

    @Override public void write(char[] chars, int off, int len) throws IOException {
      if (beforeWrite()) {
        out.write(chars, off, len);
      }
    }

    @Override public void write(String str, int off, int len) throws IOException {
      if (beforeWrite()) {
        out.write(str, off, len);
      }
    }

    @Override public void flush() throws IOException {
      if (beforeWrite()) {
        out.flush();
      }
    }

    @Override public void close() throws IOException {
      if (beforeWrite()) {
        out.close();
      }
    }
  }

  /** Where the servlet's output goes once the response is a failure's. */
  private static final class DiscardingStream extends ServletOutputStream {
    @Override public boolean isReady() {
      return true;
    }

    @Override public void setWriteListener(WriteListener listener) {
      try {
        listener.onWritePossible();
      } catch (IOException e) {
        listener.onError(e);
      }
    }

    @Override public void write(int b) {
      // discarded: the response is the failure's
    }
  }
}
