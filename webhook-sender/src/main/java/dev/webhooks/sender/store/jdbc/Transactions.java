package dev.webhooks.sender.store.jdbc;

import dev.webhooks.sender.store.WebhookStoreException;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the store's work in transactions on connections borrowed from the data source: one
 * transaction per call, committed or rolled back as a whole, and run again on a deadlock, a
 * serialization failure or a lock timeout, and on a connection lost before the commit was sent
 * (the database restarted, failed over, or cut the connection: the transaction died with it, and
 * the next try borrows another connection). The work must be safe to repeat: it only touches the
 * database. A connection lost during the commit is not retried (the commit may have happened),
 * unless the work is safe to repeat ({@link #runRepeatable}). Other SQL errors become {@link
 * WebhookStoreException}s naming the operation and the SQLState, never a value.
 *
 * <p>Work of a single round trip on PostgreSQL (a claim, a publish without a key) runs in
 * auto-commit instead ({@link #runAutoCommitted}, {@link #runAutoCommittedOnce}): the database
 * commits it as it ends, without a {@code COMMIT} of its own.
 */
final class Transactions {
  private static final Logger log = LoggerFactory.getLogger(Transactions.class);
  private static final int TX_TRIES = 4;

  private final DataSource dataSource;

  Transactions(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** What runs in one transaction. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction, again on a deadlock, a serialization failure or a
   * connection lost before the commit.
   */
  <T> T run(String what, Work<T> work) {
    return run(what, work, false);
  }

  /**
   * As {@link #run}, for work that changes nothing when repeated after it committed (a write
   * guarded by a lease token that it clears): a connection lost during the commit is tried again
   * too. If the commit had happened, the repeat finds the token gone and says so.
   */
  <T> T runRepeatable(String what, Work<T> work) {
    return run(what, work, true);
  }

  /**
   * Runs {@code work} on a connection in auto-commit mode, for work that sends its statements
   * together in one round trip: PostgreSQL runs statements sent together in one implicit
   * transaction, committed when the last ends, so the work is all or nothing without a {@code
   * COMMIT} of its own (a round trip more). Run again on a deadlock, a serialization failure or
   * a lost connection, even one lost at the commit: the work must be safe to repeat after it took
   * effect.
   */
  <T> T runAutoCommitted(String what, Work<T> work) {
    for (int attempt = 1; ; attempt++) {
      try {
        return runAutoCommittedOnce(work);
      } catch (SQLException e) {
        if (attempt < TX_TRIES && worthAnotherTry(e)) {
          log.debug("webhooks store: {} failed (SQLState {}); trying again", what, e.getSQLState());
          continue;
        }
        throw new WebhookStoreException("webhooks store: " + what + " failed (SQLState " + e.getSQLState() + ")", e);
      }
    }
  }

  /** How often {@link #runAutoCommittedOnce} asks whether a failed statement took effect before it gives up. */
  static final int CHECK_TRIES = 10;
  /** The pause before the second check, doubled before each next one up to {@link #CHECK_PAUSE_MAX_MILLIS}. */
  private static final long CHECK_PAUSE_MILLIS = 5;
  private static final long CHECK_PAUSE_MAX_MILLIS = 200;

  /**
   * Runs {@code work}, a single statement, on a connection in auto-commit mode, for work that must
   * not be repeated once it took effect (one round trip: the statement and its commit). A failure
   * of the statement does not tell whether it committed before its answer was lost, so after one,
   * {@code tookEffect}, a single query, asks the database on another connection (up to {@value
   * #CHECK_TRIES} times, with pauses of about a second in all, plus whatever the data source waits
   * for a connection): if the work took effect, its answer is the work's.
   * If not, the work is run again on a deadlock, a serialization failure or a lost connection, and
   * its failure thrown otherwise. A connection that could not be borrowed ran nothing: no check.
   * When the outcome stays unknown (the database could not be asked, or a lost connection's
   * statement may still commit after the check), the exception's message ends with "whether it
   * took effect is unknown".
   */
  <T> T runAutoCommittedOnce(String what, Work<T> work, Work<java.util.Optional<T>> tookEffect) {
    boolean unknown = false; // a statement's connection was lost: it may yet commit
    for (int attempt = 1; ; attempt++) {
      Connection c;
      try {
        c = dataSource.getConnection();
      } catch (SQLException e) {
        if (attempt < TX_TRIES && worthAnotherTry(e)) {
          log.debug("webhooks store: {} found no connection (SQLState {}); trying again", what, e.getSQLState());
          continue;
        }
        throw failed(what, e, unknown);
      }
      SQLException failure;
      try {
        return runAutoCommittedOnce(c, work);
      } catch (SQLException e) {
        failure = e;
      }
      unknown |= isConnectionLost(failure);
      java.util.Optional<T> answer = check(tookEffect, failure);
      if (answer == null) {
        throw failed(what, failure, true);
      }
      if (answer.isPresent()) {
        log.debug("webhooks store: {} took effect, though its answer was lost (SQLState {})", what,
            failure.getSQLState());
        return answer.get();
      }
      if (attempt < TX_TRIES && worthAnotherTry(failure)) {
        log.debug("webhooks store: {} failed (SQLState {}) without effect; trying again", what, failure.getSQLState());
        continue;
      }
      throw failed(what, failure, unknown);
    }
  }

  private static WebhookStoreException failed(String what, SQLException e, boolean unknown) {
    return new WebhookStoreException("webhooks store: " + what + " failed (SQLState " + e.getSQLState() + ")"
        + (unknown ? ", and whether it took effect is unknown" : ""), e);
  }

  /** {@code tookEffect}'s answer, or null if the database could not be asked; failures go to {@code failure}. */
  private <T> java.util.Optional<T> check(Work<java.util.Optional<T>> tookEffect, SQLException failure) {
    long pause = CHECK_PAUSE_MILLIS;
    for (int check = 1; check <= CHECK_TRIES; check++) {
      try {
        return runAutoCommittedOnce(dataSource.getConnection(), tookEffect);
      } catch (SQLException e) {
        failure.addSuppressed(e);
      }
      if (check < CHECK_TRIES) {
        try {
          Thread.sleep(pause); // a restarting or failing-over database: give it a moment
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return null;
        }
        pause = Math.min(pause * 2, CHECK_PAUSE_MAX_MILLIS);
      }
    }
    return null;
  }

  /** {@code work} once, on a borrowed connection in auto-commit mode; its failure as thrown. */
  private <T> T runAutoCommittedOnce(Work<T> work) throws SQLException {
    return runAutoCommittedOnce(dataSource.getConnection(), work);
  }

  /** {@code work} once on {@code c} in auto-commit mode, which it then closes; its failure as thrown. */
  private static <T> T runAutoCommittedOnce(Connection c, Work<T> work) throws SQLException {
    try (c) {
      boolean autoCommit = c.getAutoCommit();
      if (!autoCommit) {
        c.setAutoCommit(true); // a borrowed connection holds no transaction of ours to commit
      }
      try {
        return work.run(c);
      } finally {
        if (!autoCommit) {
          try {
            c.setAutoCommit(false);
          } catch (SQLException e) {
            log.debug("could not restore auto-commit", e);
          }
        }
      }
    }
  }

  private <T> T run(String what, Work<T> work, boolean repeatable) {
    for (int attempt = 1; ; attempt++) {
      boolean committing = false;
      try (Connection c = dataSource.getConnection()) {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        boolean ended = false;
        try {
          T result = work.run(c);
          committing = true;
          c.commit();
          ended = true;
          return result;
        } catch (SQLException | RuntimeException | Error e) {
          ended = rollbackQuietly(c, e);
          throw e;
        } finally {
          // Only once the transaction is over: switching auto-commit back on with it still open
          // would commit it, half done. Otherwise the connection is closed as it is, and its pool
          // (or the driver) rolls it back.
          if (ended) {
            try {
              c.setAutoCommit(autoCommit);
            } catch (SQLException e) {
              log.debug("could not restore auto-commit", e);
            }
          }
        }
      } catch (SQLException e) {
        if (attempt < TX_TRIES && isTransient(e)) {
          log.debug("webhooks store: {} collided with another transaction; trying again", what);
          continue;
        }
        if (attempt < TX_TRIES && (!committing || repeatable) && isConnectionLost(e)) {
          log.debug("webhooks store: {} lost its connection (SQLState {}); trying again", what, e.getSQLState());
          continue;
        }
        throw new WebhookStoreException("webhooks store: " + what + " failed (SQLState " + e.getSQLState() + ")", e);
      }
    }
  }

  /** Rolls back; false if that failed (the transaction may still be open). */
  private static boolean rollbackQuietly(Connection c, Throwable cause) {
    try {
      c.rollback();
      return true;
    } catch (SQLException e) {
      cause.addSuppressed(e);
      return false;
    }
  }

  /** A failure after which auto-committed work that did not take effect is run again: transient, or a lost connection. */
  private static boolean worthAnotherTry(SQLException e) {
    return isTransient(e) || isConnectionLost(e);
  }

  /** Deadlock, serialization failure or lock timeout: the same work may succeed when run again. */
  private static boolean isTransient(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.equals("40001") || state.equals("40P01") || state.equals("HYT00"));
  }

  /**
   * The connection failed or was closed (class 08), or the server ended the session: an
   * administrator or a shutdown terminated it, or it is starting up (57P01, 57P02, 57P03).
   */
  static boolean isConnectionLost(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
        || state.equals("57P03"));
  }

  static boolean isUniqueViolation(SQLException e) {
    return "23505".equals(e.getSQLState());
  }
}
