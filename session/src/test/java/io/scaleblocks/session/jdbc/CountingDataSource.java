package io.scaleblocks.session.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/** Counts what a store sends the database: statements executed (a batch counts once) and commits. */
final class CountingDataSource {

  final AtomicLong statements = new AtomicLong();
  final AtomicLong commits = new AtomicLong();
  final DataSource dataSource;

  CountingDataSource(DataSource target) {
    this.dataSource = proxy(DataSource.class, target, (m, result) -> m.getName().equals("getConnection")
        ? proxy(Connection.class, (Connection) result, this::onConnection) : result);
  }

  /** Statements plus commits: the round trips of a call. */
  long roundTrips() {
    return statements.get() + commits.get();
  }

  private Object onConnection(Method m, Object result) {
    if (m.getName().equals("commit") || m.getName().equals("rollback")) {
      commits.incrementAndGet();
    }
    if (result instanceof PreparedStatement ps) {
      return proxy(PreparedStatement.class, ps, this::onStatement);
    }
    if (result instanceof Statement st) {
      return proxy(Statement.class, st, this::onStatement);
    }
    return result;
  }

  private Object onStatement(Method m, Object result) {
    if (m.getName().startsWith("execute")) {
      statements.incrementAndGet();
    }
    return result;
  }

  private interface After {
    Object apply(Method method, Object result);
  }

  private static <T> T proxy(Class<T> type, T target, After after) {
    InvocationHandler handler = (p, method, args) -> {
      try {
        return after.apply(method, method.invoke(target, args));
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    };
    return type.cast(Proxy.newProxyInstance(CountingDataSource.class.getClassLoader(), new Class<?>[] {type}, handler));
  }
}
