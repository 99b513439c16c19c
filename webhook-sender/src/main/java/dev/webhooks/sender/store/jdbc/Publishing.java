package dev.webhooks.sender.store.jdbc;

import dev.webhooks.sender.PublishResult;
import dev.webhooks.sender.store.EventRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Writes an event and its deliveries on a connection, in the transaction the caller holds (the
 * store's own, or the application's for the outbox): the idempotency check that holds across
 * nodes, the fan-out to matching subscriptions in one {@code INSERT … SELECT}, a test event's one
 * delivery, and on PostgreSQL the {@code NOTIFY} that the caller's commit sends.
 */
final class Publishing {
  private final SqlDialect dialect;

  Publishing(SqlDialect dialect) {
    this.dialect = dialect;
  }

  /**
   * Publishes {@code event} on {@code c}, in the transaction it holds; see {@code
   * WebhookStore.publish}. With {@code notifyAtCommit} (notifications on, in the caller's own
   * transaction), its commit sends the {@code NOTIFY}; the store's own publishes are notified after
   * their commits instead ({@link CommitNotifier}).
   */
  PublishResult publish(Connection c, EventRecord event, boolean notifyAtCommit) throws SQLException {
    Optional<String> key = event.idempotencyKey();
    if (key.isPresent()) {
      Optional<String> first = insertEventOnce(c, event);
      if (first.isPresent()) {
        return new PublishResult(first.get(), 0, true);
      }
    } else if (event.onlySubscription().isPresent()) {
      requireSubscription(c, event.tenantId(), event.onlySubscription().get());
      insertEvent(c, event, false);
    } else if (dialect != SqlDialect.POSTGRESQL) {
      insertEvent(c, event, false);
    }
    // On PostgreSQL an event without a key is written by the fan-out's own statement, and only when
    // a subscription matches: one statement in all (see inOneStatement).
    boolean withEvent = inOneStatement(event);
    int count = event.onlySubscription().isPresent() ? insertTestDelivery(c, event) : fanOut(c, event, withEvent);
    if (count == 0 && key.isEmpty() && !withEvent) {
      // Nothing to send and no key to remember: the event need not stay.
      try (PreparedStatement p = c.prepareStatement("DELETE FROM webhook_event WHERE id = ?")) {
        p.setString(1, event.id());
        p.executeUpdate();
      }
    }
    if (count > 0 && notifyAtCommit) {
      try (Statement s = c.createStatement()) {
        s.execute("NOTIFY " + JdbcWebhookStore.CHANNEL); // delivered at commit; nothing on rollback
      }
    }
    return new PublishResult(event.id(), count, false);
  }

  /**
   * Whether {@link #publish} writes {@code event} with a single statement: on PostgreSQL, an event
   * without an idempotency key that is not a test event. Such a publish can run in auto-commit, in
   * one round trip.
   */
  boolean inOneStatement(EventRecord event) {
    return dialect == SqlDialect.POSTGRESQL && event.idempotencyKey().isEmpty() && event.onlySubscription().isEmpty();
  }

  /** Inserts an event with an idempotency key unless the tenant used it already: then the first event's id. */
  private Optional<String> insertEventOnce(Connection c, EventRecord event) throws SQLException {
    if (event.onlySubscription().isPresent()) {
      requireSubscription(c, event.tenantId(), event.onlySubscription().get());
    }
    if (dialect == SqlDialect.POSTGRESQL) {
      // ON CONFLICT waits for a concurrent publish of the same key and then does nothing: no error
      // aborts the caller's transaction, and exactly one event wins across all nodes.
      if (insertEvent(c, event, true)) {
        return Optional.empty();
      }
    } else {
      Optional<String> first = firstEvent(c, event);
      if (first.isPresent()) {
        return first;
      }
      try {
        insertEvent(c, event, false);
        return Optional.empty();
      } catch (SQLException e) {
        if (!Transactions.isUniqueViolation(e)) {
          throw e;
        }
        // H2 undoes only the failed statement: the transaction goes on.
      }
    }
    return Optional.of(firstEvent(c, event).orElseThrow(
        () -> new SQLException("idempotency key conflict, but no event holds the key", "40001")));
  }

  private static Optional<String> firstEvent(Connection c, EventRecord event) throws SQLException {
    try (PreparedStatement p = c.prepareStatement(
        "SELECT id FROM webhook_event WHERE tenant_id = ? AND idempotency_key = ?")) {
      p.setString(1, event.tenantId());
      p.setString(2, event.idempotencyKey().orElseThrow());
      try (ResultSet r = p.executeQuery()) {
        return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
      }
    }
  }

  /** Inserts the event; with {@code onConflictDoNothing} (PostgreSQL), {@code false} when its key was taken. */
  private static boolean insertEvent(Connection c, EventRecord event, boolean onConflictDoNothing) throws SQLException {
    try (PreparedStatement p = c.prepareStatement(INSERT_EVENT
        + (onConflictDoNothing ? " ON CONFLICT (tenant_id, idempotency_key) DO NOTHING" : ""))) {
      bindEvent(p, 1, event);
      return p.executeUpdate() == 1;
    }
  }

  private static final String INSERT_EVENT = "INSERT INTO webhook_event "
      + "(id, tenant_id, type, created_at, payload, idempotency_key) VALUES (?, ?, ?, ?, ?, ?)";

  /** Binds an event's six columns from parameter {@code i} on; returns the next parameter's index. */
  private static int bindEvent(PreparedStatement p, int i, EventRecord event) throws SQLException {
    p.setString(i, event.id());
    p.setString(i + 1, event.tenantId());
    p.setString(i + 2, event.type());
    Rows.timestamp(p, i + 3, event.createdAt());
    p.setBytes(i + 4, event.payload());
    p.setString(i + 5, event.idempotencyKey().orElse(null));
    return i + 6;
  }

  /**
   * A test event's subscription, found by id and checked for its tenant ({@link Rows#checked} says
   * why so); on PostgreSQL held until commit.
   */
  static String requireSubscriptionSql(SqlDialect dialect) {
    return "SELECT 1 FROM webhook_subscription WHERE " + Rows.checked("tenant_id") + " AND id = ?"
        + (dialect == SqlDialect.POSTGRESQL ? " FOR KEY SHARE" : "");
  }

  private void requireSubscription(Connection c, String tenantId, UUID id) throws SQLException {
    // As in fanOut: held until commit, so that a concurrent delete also deletes the test delivery.
    try (PreparedStatement p = c.prepareStatement(requireSubscriptionSql(dialect))) {
      p.setString(1, tenantId);
      p.setObject(2, id);
      try (ResultSet r = p.executeQuery()) {
        if (!r.next()) {
          throw Rows.notFound("subscription");
        }
      }
    }
  }

  /**
   * One pending delivery per enabled subscription of the tenant with a filter matching the type, in
   * one statement. With {@code withEvent} (PostgreSQL), that statement inserts the event first, and
   * only if a subscription matches: an event with nothing to send is not kept, without a second
   * statement to delete it.
   */
  private int fanOut(Connection c, EventRecord event, boolean withEvent) throws SQLException {
    List<String> prefixes = prefixes(event.type());
    StringBuilder matching = new StringBuilder("webhook_subscription s WHERE s.tenant_id = ? "
        + "AND s.enabled AND s.id IN (SELECT f.subscription_id FROM webhook_subscription_filter f "
        + "WHERE f.tenant_id = ? AND (f.kind = 'A' OR (f.kind = 'E' AND f.filter_value = ?)");
    if (!prefixes.isEmpty()) {
      matching.append(" OR (f.kind = 'P' AND f.filter_value IN (").append("?, ".repeat(prefixes.size() - 1))
          .append("?))");
    }
    matching.append("))");
    String columns = "INSERT INTO webhook_delivery (id, tenant_id, subscription_id, event_id, "
        + "event_type, status, attempt_count, created_at, next_attempt_at) SELECT " + dialect.newUuid();
    String sql;
    if (withEvent) {
      // What a foreign-key check would lock, once per subscription rather than per row: a concurrent
      // delete waits for this transaction, then deletes the deliveries it wrote (V1__schema.sql).
      sql = "WITH s AS (SELECT s.id, s.tenant_id FROM " + matching + " FOR KEY SHARE OF s), "
          + "e AS (INSERT INTO webhook_event (id, tenant_id, type, created_at, payload, idempotency_key) "
          + "SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM s) RETURNING id) "
          + columns + ", s.tenant_id, s.id, e.id, ?, 'pending', 0, ?, ? FROM e, s";
    } else {
      sql = columns + ", s.tenant_id, s.id, ?, ?, 'pending', 0, ?, ? FROM " + matching
          + (dialect == SqlDialect.POSTGRESQL ? " FOR KEY SHARE OF s" : ""); // as above
    }
    try (PreparedStatement p = c.prepareStatement(sql)) {
      int i = 1;
      if (!withEvent) {
        p.setString(i++, event.id());
        p.setString(i++, event.type());
        Rows.timestamp(p, i++, event.createdAt());
        Rows.timestamp(p, i++, event.createdAt());
      }
      p.setString(i++, event.tenantId());
      p.setString(i++, event.tenantId());
      p.setString(i++, event.type());
      for (String prefix : prefixes) {
        p.setString(i++, prefix);
      }
      if (withEvent) {
        i = bindEvent(p, i, event);
        p.setString(i++, event.type());
        Rows.timestamp(p, i++, event.createdAt());
        Rows.timestamp(p, i, event.createdAt());
      }
      return p.executeUpdate();
    }
  }

  /** {@code a.b.c} → {@code a}, {@code a.b}: the values of the prefix filters that match it. */
  static List<String> prefixes(String type) {
    List<String> out = new ArrayList<>();
    for (int dot = type.indexOf('.'); dot > 0; dot = type.indexOf('.', dot + 1)) {
      out.add(type.substring(0, dot));
    }
    return out;
  }

  /** A test event's one delivery: to its subscription whatever its filters, claimable once even while it is disabled. */
  private static int insertTestDelivery(Connection c, EventRecord event) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("INSERT INTO webhook_delivery (id, tenant_id, subscription_id, "
        + "event_id, event_type, status, attempt_count, created_at, next_attempt_at, bypass_disabled) "
        + "VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, TRUE)")) {
      p.setObject(1, UUID.randomUUID());
      p.setString(2, event.tenantId());
      p.setObject(3, event.onlySubscription().orElseThrow());
      p.setString(4, event.id());
      p.setString(5, event.type());
      Rows.timestamp(p, 6, event.createdAt());
      Rows.timestamp(p, 7, event.createdAt());
      return p.executeUpdate();
    }
  }
}
