package io.scaleblocks.session.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The request the servlet sees: the container's, except that going asynchronous first saves the
 * session and sets its cookie, since another thread may answer before the servlet returns to the
 * filter; {@code startAsync()} hands that thread the filter's response, so its writes are the
 * filter's too.
 */
final class SavingRequest extends HttpServletRequestWrapper {

  private final CommittingResponse response;

  SavingRequest(HttpServletRequest request, CommittingResponse response) {
    super(request);
    this.response = response;
  }

  @Override
  public AsyncContext startAsync() {
    saveBeforeAsync();
    AsyncContext context = super.startAsync(this, response);
    response.wentAsync();
    return context;
  }

  @Override
  public AsyncContext startAsync(ServletRequest request, ServletResponse servletResponse) {
    saveBeforeAsync();
    AsyncContext context = super.startAsync(request, servletResponse);
    response.wentAsync();
    return context;
  }

  private void saveBeforeAsync() {
    try {
      response.commitBeforeAsync();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
