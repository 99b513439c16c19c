package dev.webhooks.sender.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the PostgreSQL {@code NOTIFY} for the publishes a store commits in its own transactions,
 * after their commits, from one thread, at most one every {@value #INTERVAL_MILLIS} ms: every
 * publish committed before a {@code NOTIFY} starts is covered by it, so under load one notification
 * covers many publishes. The publishing node's own workers are woken at once by the sender; other
 * nodes learn of a publish up to {@value #INTERVAL_MILLIS} ms later than they would have.
 *
 * <p>Why not in the publish's transaction: PostgreSQL holds a lock for the whole database from a
 * notifying transaction's commit until it ends, WAL flush included, so notifying publishes commit
 * one after another. With 4 publishing threads, {@code pgbench} committed 7,074 inserts/s alone and
 * 3,765/s with a {@code NOTIFY} in each. And not one {@code NOTIFY} per commit either: each is a
 * commit of its own, and at 1,000 publishes/s they came one per publish (1.88 commits per delivery
 * instead of 1.21). A publish made in the caller's transaction (the outbox) still notifies in it:
 * only its commit may wake the workers.
 *
 * <p>A {@code NOTIFY} that fails is logged; the listening nodes find the deliveries at their next
 * poll.
 */
final class CommitNotifier implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CommitNotifier.class);
  static final long INTERVAL_MILLIS = 10;

  private final DataSource dataSource;
  private final String channel;
  /** A send is scheduled that has not started yet: a commit now is covered by it. */
  private final AtomicBoolean queued = new AtomicBoolean();
  private final ScheduledThreadPoolExecutor thread;
  /**
   * When the next send may start ({@code System.nanoTime}): written before {@link #queued} is
   * cleared, read after it is set.
   */
  private volatile long nextSend = System.nanoTime();
  /** Whether the last send failed, so that a failing database is logged once, not at every publish. */
  private boolean failing;

  CommitNotifier(DataSource dataSource, String channel) {
    this.dataSource = dataSource;
    this.channel = channel;
    this.thread = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "webhooks-notify");
      t.setDaemon(true);
      return t;
    });
  }

  /** A publish has committed: a {@code NOTIFY} will start after this call, unless one is scheduled already. */
  void committed() {
    if (queued.compareAndSet(false, true)) {
      try {
        thread.schedule(this::send, Math.max(0, nextSend - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException closed) {
        queued.set(false); // the store is closed; the other nodes poll
      }
    }
  }

  private void send() {
    nextSend = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS);
    queued.set(false); // from here, a commit schedules another send: this one may start too early for it
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
      s.execute("NOTIFY " + channel);
      if (!c.getAutoCommit()) {
        c.commit();
      }
      if (failing) {
        failing = false;
        log.info("webhooks notifications: sending notifications again");
      }
    } catch (SQLException | RuntimeException e) {
      if (!failing) {
        failing = true;
        log.warn("webhooks notifications: a NOTIFY after a publish failed; listening nodes find its deliveries at "
            + "their next poll (logged once until one succeeds)", e);
      }
    }
  }

  /** Sends what is queued, then stops; waits up to 5 s. */
  @Override
  public void close() {
    thread.shutdown();
    try {
      if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("webhooks notifications: the notifying thread did not stop within 5 s");
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      thread.shutdownNow();
    }
  }
}
