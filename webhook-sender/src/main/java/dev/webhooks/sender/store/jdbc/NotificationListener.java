package dev.webhooks.sender.store.jdbc;

import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits on a PostgreSQL {@code LISTEN} channel on a connection of its own and runs a callback for
 * every batch of notifications. The driver is not a compile-time dependency of this library, so
 * its {@code PGConnection.getNotifications(int)} is reached by reflection. A lost connection is
 * opened again after a pause that doubles up to 30 s; meanwhile the workers still poll.
 */
final class NotificationListener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NotificationListener.class);
  private static final int WAIT_MILLIS = 1000;
  private static final long MAX_BACKOFF_MILLIS = 30_000;

  private final DataSource dataSource;
  private final String channel;
  private final Runnable onNotification;
  private final Thread thread;
  private volatile boolean closed;
  private volatile boolean listening;

  NotificationListener(DataSource dataSource, String channel, Runnable onNotification) {
    this.dataSource = dataSource;
    this.channel = channel;
    this.onNotification = onNotification;
    this.thread = new Thread(this::run, "webhooks-notifications");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private void run() {
    long backoff = 500;
    while (!closed) {
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + channel);
        }
        Class<?> pg = Class.forName("org.postgresql.PGConnection", false, c.getClass().getClassLoader());
        Object pgConnection = c.unwrap(pg);
        Method poll = pg.getMethod("getNotifications", int.class);
        backoff = 500;
        // Missed notifications while reconnecting are covered by the workers' poll; wake them once.
        onNotification.run();
        listening = true;
        while (!closed) {
          Object batch = poll.invoke(pgConnection, WAIT_MILLIS);
          if (batch != null && Array.getLength(batch) > 0) {
            onNotification.run();
          }
        }
      } catch (SQLException | ReflectiveOperationException | RuntimeException e) {
        listening = false;
        if (closed) {
          return;
        }
        Throwable cause = e instanceof InvocationTargetException ? e.getCause() : e;
        log.warn("webhooks notifications: listening failed; reconnecting in {} ms (workers keep polling)", backoff,
            cause);
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException interrupted) {
          return;
        }
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
      }
    }
  }

  /** Whether it is connected and waiting, with the wake-up after connecting already given. */
  boolean isListening() {
    return listening;
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      log.warn("webhooks notifications: the listener did not stop within 5 s");
    }
  }
}
