package dev.webhooks.sender.store.jdbc;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A small bounded pool of real connections to one JDBC URL, for tests that run thousands of short
 * transactions (a new PostgreSQL connection per operation costs a backend process each; a new H2
 * connection with {@code DB_CLOSE_DELAY=0} may open the whole database). The drivers' own pools
 * need {@code java.naming}, which the patched test module does not read.
 *
 * <p>{@link #getConnection()} hands out a {@link Proxy} over an idle or new connection; its
 * {@code close()} rolls back what was left uncommitted, restores auto-commit and returns the
 * connection to the pool; a connection that failed with a connection-level error (SQLState class
 * 08) or that the caller left closed is discarded instead. At most {@code max} connections are
 * open; a caller beyond that waits up to 30 s. Thread-safe. {@link #close()} closes idle
 * connections and every connection handed back later.
 */
public final class PooledTestDataSource implements DataSource, AutoCloseable {
  private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final String url;
  private final int max;
  private final Deque<Connection> idle = new ArrayDeque<>(); // guarded by this
  private int open; // guarded by this
  private boolean closed; // guarded by this

  public PooledTestDataSource(String url, int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max < 1");
    }
    this.url = url;
    this.max = max;
  }

  String url() {
    return url;
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection physical = take();
    return (Connection) Proxy.newProxyInstance(PooledTestDataSource.class.getClassLoader(),
        new Class<?>[] {Connection.class}, new Lease(physical));
  }

  /** An idle connection, or a new one while fewer than {@code max} are open, or waits for one. */
  private Connection take() throws SQLException {
    long deadline = System.nanoTime() + WAIT_NANOS;
    synchronized (this) {
      while (true) {
        if (closed) {
          throw new SQLException("pool closed", "08003");
        }
        if (!idle.isEmpty()) {
          return idle.pop();
        }
        if (open < max) {
          open++;
          break;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new SQLException("no connection free within 30 s (" + max + " open)", "08001");
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new SQLException("interrupted while waiting for a connection", "08001", e);
        }
      }
    }
    try {
      return DriverManager.getConnection(url);
    } catch (SQLException | RuntimeException e) {
      synchronized (this) {
        open--;
        notifyAll();
      }
      throw e;
    }
  }

  /** Takes back a connection that was handed out; {@code reusable} false closes it. */
  private void giveBack(Connection physical, boolean reusable) {
    boolean keep;
    synchronized (this) {
      keep = reusable && !closed;
      if (keep) {
        idle.push(physical);
      } else {
        open--;
      }
      notifyAll();
    }
    if (!keep) {
      closeQuietly(physical);
    }
  }

  /** Closes the idle connections now, and those in use as they come back. */
  @Override
  public void close() {
    List<Connection> toClose;
    synchronized (this) {
      closed = true;
      toClose = new ArrayList<>(idle);
      open -= idle.size();
      idle.clear();
      notifyAll();
    }
    toClose.forEach(PooledTestDataSource::closeQuietly);
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // already broken: nothing more to release
    }
  }

  /** One loan of a physical connection: delegates until closed, then refuses. */
  private final class Lease implements InvocationHandler {
    private final Connection physical;
    private final AtomicBoolean returned = new AtomicBoolean();
    private volatile boolean broken;

    Lease(Connection physical) {
      this.physical = physical;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      switch (method.getName()) {
        case "close":
          if (returned.compareAndSet(false, true)) {
            giveBack(physical, !broken && reset());
          }
          return null;
        case "isClosed":
          return returned.get() || physical.isClosed();
        case "equals":
          return proxy == args[0];
        case "hashCode":
          return System.identityHashCode(proxy);
        case "toString":
          return "pooled " + physical;
        default:
          break;
      }
      if (returned.get()) {
        throw new SQLException("connection returned to the pool", "08003");
      }
      try {
        return method.invoke(physical, args);
      } catch (InvocationTargetException e) {
        Throwable cause = e.getCause();
        if (cause instanceof SQLException && ((SQLException) cause).getSQLState() != null
            && ((SQLException) cause).getSQLState().startsWith("08")) {
          broken = true;
        }
        throw cause;
      }
    }

    /** Rolls back anything left open and restores auto-commit; false if the connection is unusable. */
    private boolean reset() {
      try {
        if (physical.isClosed()) {
          return false;
        }
        if (!physical.getAutoCommit()) {
          physical.rollback();
          physical.setAutoCommit(true);
        }
        return true;
      } catch (SQLException e) {
        return false;
      }
    }
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("the pool has one set of credentials, in its URL");
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    throw new SQLException("not a wrapper");
  }

  @Override
  public boolean isWrapperFor(Class<?> type) {
    return false;
  }

  @Override
  public String toString() {
    return "pool of " + max + " on " + url.replaceAll("password=[^&;]*", "password=<redacted>");
  }
}
