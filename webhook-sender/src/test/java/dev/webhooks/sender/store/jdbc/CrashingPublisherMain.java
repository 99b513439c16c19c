package dev.webhooks.sender.store.jdbc;

import dev.webhooks.sender.PublishResult;
import dev.webhooks.sender.WebhookSender;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

/**
 * A sender JVM that dies without warning, for {@link CrashRecoveryTest}. Arguments: JDBC URL, mode,
 * tenant (whose subscriptions the test created beforehand). Every publish prints {@code committed
 * <event id>} once it is committed. Modes:
 *
 * <ul>
 *   <li>{@code burst}: a started sender delivering while the main thread publishes without end
 *       (up to {@value #BURST_CAP} events), every other event with {@code publish(connection, …)} in
 *       a transaction of its own; the test kills the JVM midway with SIGKILL;
 *   <li>{@code commit-then-halt}: no sender started; publishes {@value #OUTBOX_EVENTS} events each
 *       in its own transaction with {@code publish(connection, …)}, and halts the JVM right after
 *       the last commit (no close, no shutdown hook, nothing flushed).
 * </ul>
 *
 * <p>Should the test JVM die first, the end of stdin halts this one.
 */
public final class CrashingPublisherMain {
  static final int BURST_CAP = 50_000;
  static final int OUTBOX_EVENTS = 20;

  private CrashingPublisherMain() {}

  public static void main(String[] args) {
    Thread orphanGuard = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // the test sends nothing; only the end of the stream matters
        }
      } catch (IOException ignored) {
        // the test JVM is gone too
      }
      Runtime.getRuntime().halt(3);
    }, "orphan-guard");
    orphanGuard.setDaemon(true);
    orphanGuard.start();
    try {
      run(args[0], args[1], args[2]);
    } catch (Throwable e) {
      e.printStackTrace(System.out);
      System.out.flush();
      Runtime.getRuntime().halt(1);
    }
  }

  private static void run(String url, String mode, String tenant) throws SQLException {
    PooledTestDataSource pool = new PooledTestDataSource(url, SenderNodes.POOL_SIZE);
    boolean burst = mode.equals("burst");
    if (!burst && !mode.equals("commit-then-halt")) {
      throw new IllegalArgumentException("unknown mode " + mode);
    }
    JdbcWebhookStore store = JdbcWebhookStore.builder(pool)
        .listenForNotifications(burst && url.startsWith("jdbc:postgresql:")).build();
    WebhookSender sender = SenderNodes.sender(store).build();
    if (burst) {
      sender.start();
    }
    System.out.println("started " + mode);
    int events = burst ? BURST_CAP : OUTBOX_EVENTS;
    for (int n = 0; n < events; n++) {
      String id;
      if (!burst || n % 2 == 1) {
        try (Connection c = pool.getConnection()) {
          c.setAutoCommit(false);
          id = sender.publish(c, tenant, SenderNodes.TYPE, Map.of("n", n)).eventId();
          c.commit();
        }
      } else {
        PublishResult r = sender.publish(tenant, SenderNodes.TYPE, Map.of("n", n));
        id = r.eventId();
      }
      System.out.println("committed " + id);
      System.out.flush();
    }
    if (!burst) {
      Runtime.getRuntime().halt(0); // the instant after the last commit
    }
    System.out.println("burst done"); // the test kills this JVM long before
    System.out.flush();
    sender.close();
    store.close();
    pool.close();
  }
}
