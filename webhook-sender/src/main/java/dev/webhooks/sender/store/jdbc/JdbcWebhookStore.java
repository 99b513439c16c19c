package dev.webhooks.sender.store.jdbc;

import static java.util.Objects.requireNonNull;

import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import dev.webhooks.core.event.EventFilter;
import dev.webhooks.core.subscription.DisabledReason;
import dev.webhooks.core.subscription.Subscription;
import dev.webhooks.sender.DeliveryQuery;
import dev.webhooks.sender.Page;
import dev.webhooks.sender.PageRequest;
import dev.webhooks.sender.PublishResult;
import dev.webhooks.sender.store.AttemptOutcome;
import dev.webhooks.sender.store.AttemptRecord;
import dev.webhooks.sender.store.ClaimedDelivery;
import dev.webhooks.sender.store.DeliveryRecord;
import dev.webhooks.sender.store.DeliveryStatus;
import dev.webhooks.sender.store.EventRecord;
import dev.webhooks.sender.store.StoredSubscription;
import dev.webhooks.sender.store.TransactionalWebhookStore;
import dev.webhooks.sender.store.WebhookStoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.SecretKey;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable store: subscriptions, events, deliveries and attempts in a relational database,
 * over plain JDBC. Two databases are supported:
 *
 * <ul>
 *   <li><b>H2</b>, embedded, on a file: the durable default on one machine;
 *   <li><b>PostgreSQL</b>: several sender nodes share one database and claim due deliveries with
 *       {@code FOR UPDATE SKIP LOCKED}, each for the length of a lease; a node that dies loses its
 *       leases when they expire, and another node takes the deliveries over.
 * </ul>
 *
 * <p>The store creates its tables on first use and migrates them by version (recorded in {@code
 * webhook_schema_version}), safely when several nodes start at once. Give it a pooled {@link
 * DataSource} (HikariCP or the application's own): it borrows a connection per operation.
 *
 * <pre>{@code
 * JdbcWebhookStore store = JdbcWebhookStore.builder(dataSource)
 *     .listenForNotifications(true)         // PostgreSQL: workers wake within milliseconds of a commit
 *     .retention(Duration.ofDays(30))       // finished deliveries and their events purged after 30 days
 *     .secretsKey(aesKey)                   // signing secrets sealed with AES-GCM at rest
 *     .build();                             // creates or migrates the schema
 * WebhookSender sender = WebhookSender.builder().catalog(catalog).store(store).build().start();
 *
 * // inside the application's own transaction (the outbox):
 * sender.publish(connection, tenantId, "invoice.paid", data);
 * }</pre>
 *
 * <p>H2 must be opened with {@code ;WRITE_DELAY=0} in its URL, so that a commit is in the file
 * when it returns (the store refuses to start otherwise), and kept open between operations (a
 * pool, or {@code ;DB_CLOSE_DELAY=-1}): {@code jdbc:h2:file:/var/lib/app/webhooks;WRITE_DELAY=0}.
 *
 * <p>Defaults: no notifications (workers poll), keep everything, secrets stored as written (the
 * database's own encryption applies), the system clock. Timestamps are kept to the microsecond.
 * Thread-safe; every method is one transaction, retried on a deadlock or serialization failure.
 */
public final class JdbcWebhookStore implements TransactionalWebhookStore {
  private static final Logger log = LoggerFactory.getLogger(JdbcWebhookStore.class);
  /** The PostgreSQL channel a publish notifies and listening stores wait on. */
  static final String CHANNEL = "webhooks_due";

  // Rows found by primary key (or, for RECOVER_FAILED_WHERE, by subscription) and checked for their
  // tenant: Rows.checked says why the check is written so.
  static final String FIND_SUBSCRIPTION_SQL = "SELECT " + Rows.SUB_COLUMNS + " FROM webhook_subscription s "
      + "WHERE " + Rows.checked("s.tenant_id") + " AND s.id = ?";
  static final String LOCK_SUBSCRIPTION_SQL = "SELECT version, enabled FROM webhook_subscription WHERE "
      + Rows.checked("tenant_id") + " AND id = ? FOR UPDATE";
  static final String DELETE_SUBSCRIPTION_SQL = "DELETE FROM webhook_subscription WHERE "
      + Rows.checked("tenant_id") + " AND id = ?";
  static final String DISABLE_SUBSCRIPTION_SQL = "UPDATE webhook_subscription SET enabled = FALSE, "
      + "disabled_reason = ?, updated_at = ?, version = version + 1 WHERE " + Rows.checked("tenant_id")
      + " AND id = ? AND enabled";
  /** Parameters: the event's id, tenant and type, then its id again. */
  static final String STORED_EVENT_SQL = "SELECT (SELECT COUNT(*) FROM webhook_event WHERE id = ? AND "
      + Rows.checked("tenant_id") + " AND type = ?), (SELECT COUNT(*) FROM webhook_delivery WHERE event_id = ?)";
  static final String FIND_DELIVERY_SQL = "SELECT " + Rows.DELIVERY_COLUMNS + " FROM webhook_delivery d WHERE "
      + Rows.checked("d.tenant_id") + " AND d.id = ?";
  static final String DELIVERY_ATTEMPTS_SQL = "SELECT a.attempt_number, a.started_at, a.duration_ms, "
      + "a.http_status, a.response_excerpt, a.error FROM webhook_attempt a JOIN webhook_delivery d "
      + "ON d.id = a.delivery_id WHERE " + Rows.checked("d.tenant_id") + " AND d.id = ? ORDER BY a.attempt_number";
  /** {@link #reschedule}'s condition for one delivery; parameters: the tenant, the id. */
  static final String RETRY_DELIVERY_WHERE = Rows.checked("tenant_id") + " AND id = ?";
  /** {@link #reschedule}'s condition for a subscription's failed deliveries since a time: by the subscription's index. */
  static final String RECOVER_FAILED_WHERE = Rows.checked("tenant_id")
      + " AND subscription_id = ? AND status = 'failed' AND created_at >= ?";

  private final DataSource dataSource;
  private final SqlDialect dialect;
  private final SecretsAtRest secrets;
  private final boolean notify;
  private final Transactions transactions;
  private final Rows rows;
  private final Publishing publishing;
  private final Claims claims;
  private final Retention retention;
  private final List<Runnable> workListeners = new CopyOnWriteArrayList<>();
  private volatile NotificationListener listener;
  /** Notifies after the commits of the publishes made in the store's own transactions; null without notifications. */
  private final CommitNotifier notifier;
  private volatile boolean closed;

  private JdbcWebhookStore(Builder b) {
    this.dataSource = b.dataSource;
    this.secrets = b.secretsKey == null ? SecretsAtRest.plain() : SecretsAtRest.aesGcm(b.secretsKey);
    String url;
    try {
      try (Connection c = dataSource.getConnection()) {
        this.dialect = SqlDialect.of(c);
        url = c.getMetaData().getURL();
        if (dialect == SqlDialect.H2) {
          requireNoWriteDelay(c);
        }
      }
      new SchemaMigrator(dataSource, b.clock).migrate();
    } catch (SQLException e) {
      throw new WebhookStoreException("the webhooks schema could not be created or migrated", e);
    }
    if (b.notify && dialect != SqlDialect.POSTGRESQL) {
      throw new IllegalStateException("listenForNotifications needs PostgreSQL; this database is " + dialect);
    }
    this.notify = b.notify;
    this.transactions = new Transactions(dataSource);
    this.rows = new Rows(secrets);
    this.publishing = new Publishing(dialect);
    this.notifier = notify ? new CommitNotifier(dataSource, CHANNEL) : null;
    this.claims = new Claims(transactions, rows, dialect, url);
    if (secrets.encrypts()) {
      sealPlainSecrets();
    }
    this.retention = new Retention(transactions, b.purgeBatchSize, b.clock, b.retention, b.purgeInterval);
  }

  /**
   * H2 writes a commit to its file up to {@code WRITE_DELAY} (500 ms by default) after it returns:
   * a crash in between loses the commit, and with it an event the application was told is safe.
   */
  private static void requireNoWriteDelay(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
        "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
      if (r.next() && !"0".equals(r.getString(1).strip())) {
        throw new IllegalStateException("H2 must be opened with ;WRITE_DELAY=0 in its URL (it is "
            + r.getString(1).strip() + " ms): otherwise a commit reaches the file only later, and a crash in "
            + "between loses events the application was told are stored");
      }
    }
  }

  /** A store on {@code dataSource} with every default; creates or migrates the schema. */
  public static JdbcWebhookStore create(DataSource dataSource) {
    return builder(dataSource).build();
  }

  /** A builder of a store on {@code dataSource} (H2 or PostgreSQL). */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  private <T> T tx(String what, Transactions.Work<T> work) {
    return transactions.run(what, work);
  }

  // ---- subscriptions

  @Override
  public void createSubscription(StoredSubscription stored) {
    Subscription s = requireNonNull(stored, "subscription == null").subscription();
    boolean created = tx("create subscription", c -> {
      try (PreparedStatement p = c.prepareStatement("INSERT INTO webhook_subscription (id, tenant_id, url, "
          + "description, enabled, disabled_reason, filters, headers, metadata, secrets, created_at, updated_at, "
          + "secret_last_rotated_at, last_delivered_at, failing_since, version) "
          + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)")) {
        int i = 1;
        p.setObject(i++, s.id());
        p.setString(i++, s.tenantId());
        i = rows.bindSubscription(p, i, s, stored.secrets());
        Rows.timestamp(p, i++, s.createdAt());
        Rows.timestamp(p, i++, s.updatedAt());
        Rows.timestamp(p, i++, s.secretLastRotatedAt());
        Rows.timestamp(p, i++, s.lastDeliveredAt().orElse(null));
        Rows.timestamp(p, i, stored.failingSince().orElse(null));
        p.executeUpdate();
      } catch (SQLException e) {
        if (Transactions.isUniqueViolation(e)) {
          return false;
        }
        throw e;
      }
      insertFilters(c, s);
      return true;
    });
    if (!created) {
      if (findSubscription(s.tenantId(), s.id()).isPresent()) {
        throw new IllegalArgumentException("subscription " + s.id() + " already exists");
      }
      throw duplicateUrl(s);
    }
  }

  private WebhookValidationException duplicateUrl(Subscription s) {
    String other = tx("find subscription by URL", c -> {
      try (PreparedStatement p = c.prepareStatement(
          "SELECT id FROM webhook_subscription WHERE tenant_id = ? AND url = ?")) {
        p.setString(1, s.tenantId());
        p.setString(2, s.url().toString());
        try (ResultSet r = p.executeQuery()) {
          return r.next() ? r.getString(1) : "another";
        }
      }
    });
    return new WebhookValidationException(ErrorCode.DUPLICATE_WEBHOOK, "url",
        "a webhook with this URL already exists (" + other + ")");
  }

  private static void insertFilters(Connection c, Subscription s) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("INSERT INTO webhook_subscription_filter "
        + "(subscription_id, tenant_id, kind, filter_value) VALUES (?, ?, ?, ?)")) {
      for (EventFilter f : s.filters().filters()) {
        p.setObject(1, s.id());
        p.setString(2, s.tenantId());
        p.setString(3, Rows.kind(f.kind()));
        p.setString(4, f.value());
        p.addBatch();
      }
      p.executeBatch();
    }
  }

  @Override
  public Optional<StoredSubscription> findSubscription(String tenantId, UUID id) {
    requireNonNull(id, "id == null");
    return tx("find subscription", c -> {
      try (PreparedStatement p = c.prepareStatement(FIND_SUBSCRIPTION_SQL)) {
        p.setString(1, tenantId);
        p.setObject(2, id);
        try (ResultSet r = p.executeQuery()) {
          return r.next() ? Optional.of(rows.subscription(r, 1)) : Optional.empty();
        }
      }
    });
  }

  @Override
  public Page<Subscription> listSubscriptions(String tenantId, PageRequest page) {
    requireNonNull(page, "page == null");
    return tx("list subscriptions", c -> {
      try (PreparedStatement p = c.prepareStatement("SELECT " + Rows.SUB_COLUMNS
          + " FROM webhook_subscription s WHERE s.tenant_id = ? ORDER BY s.seq LIMIT ? OFFSET ?")) {
        p.setString(1, tenantId);
        p.setInt(2, page.perPage() + 1); // one more tells whether a next page exists
        p.setLong(3, page.offset());
        List<Subscription> items = new ArrayList<>();
        try (ResultSet r = p.executeQuery()) {
          while (r.next()) {
            items.add(rows.subscription(r, 1).subscription());
          }
        }
        return Rows.page(items, page);
      }
    });
  }

  @Override
  public boolean updateSubscription(StoredSubscription stored) {
    Subscription s = requireNonNull(stored, "subscription == null").subscription();
    Optional<Boolean> outcome = tx("update subscription", c -> {
      boolean wasEnabled;
      try (PreparedStatement p = c.prepareStatement(LOCK_SUBSCRIPTION_SQL)) {
        p.setString(1, s.tenantId());
        p.setObject(2, s.id());
        try (ResultSet r = p.executeQuery()) {
          if (!r.next()) {
            throw Rows.notFound("subscription");
          }
          if (r.getLong(1) != stored.version()) {
            return Optional.of(false);
          }
          wasEnabled = r.getBoolean(2);
        }
      }
      try (PreparedStatement p = c.prepareStatement("UPDATE webhook_subscription SET url = ?, description = ?, "
          + "enabled = ?, disabled_reason = ?, filters = ?, headers = ?, metadata = ?, secrets = ?, updated_at = ?, "
          + "secret_last_rotated_at = ?, failing_since = CASE WHEN ? THEN NULL ELSE failing_since END, "
          + "version = version + 1 WHERE id = ?")) {
        int i = rows.bindSubscription(p, 1, s, stored.secrets());
        Rows.timestamp(p, i++, s.updatedAt());
        Rows.timestamp(p, i++, s.secretLastRotatedAt());
        p.setBoolean(i++, s.enabled() && !wasEnabled);
        p.setObject(i, s.id());
        p.executeUpdate();
      } catch (SQLException e) {
        if (Transactions.isUniqueViolation(e)) {
          return Optional.empty();
        }
        throw e;
      }
      try (PreparedStatement p = c.prepareStatement("DELETE FROM webhook_subscription_filter WHERE subscription_id = ?")) {
        p.setObject(1, s.id());
        p.executeUpdate();
      }
      insertFilters(c, s);
      return Optional.of(true);
    });
    return outcome.orElseThrow(() -> duplicateUrl(s));
  }

  @Override
  public boolean deleteSubscription(String tenantId, UUID id) {
    requireNonNull(id, "id == null");
    return tx("delete subscription", c -> {
      // Deliveries, their attempts and the filters go with it (ON DELETE CASCADE).
      try (PreparedStatement p = c.prepareStatement(DELETE_SUBSCRIPTION_SQL)) {
        p.setString(1, tenantId);
        p.setObject(2, id);
        return p.executeUpdate() == 1;
      }
    });
  }

  @Override
  public boolean disableSubscription(String tenantId, UUID id, DisabledReason reason, Instant at) {
    requireNonNull(id, "id == null");
    requireNonNull(reason, "reason == null");
    requireNonNull(at, "at == null");
    return tx("disable subscription", c -> {
      try (PreparedStatement p = c.prepareStatement(DISABLE_SUBSCRIPTION_SQL)) {
        p.setString(1, reason.name());
        Rows.timestamp(p, 2, at);
        p.setString(3, tenantId);
        p.setObject(4, id);
        return p.executeUpdate() == 1;
      }
    });
  }

  // ---- publishing
  @Override
  public PublishResult publish(EventRecord event) {
    requireNonNull(event, "event == null");
    // On PostgreSQL an event without a key is one statement, run in auto-commit: one round trip
    // where a transaction takes two (the statement, then the commit). Four threads publishing
    // alone made 1.2 times as many events per second (3,120 against 2,556, medians of four
    // alternated runs, 2026-11-28).
    PublishResult r = publishing.inOneStatement(event)
        ? transactions.runAutoCommittedOnce("publish", c -> publishing.publish(c, event, false), c -> stored(c, event))
        : tx("publish", c -> publishing.publish(c, event, false));
    if (notifier != null && r.deliveries() > 0) {
      notifier.committed();
    }
    return r;
  }

  /**
   * The answer of a publish of {@code event} that took effect, or empty if it did not: the event is
   * stored with all its deliveries or not at all (one statement). An event of another tenant or
   * type under the same id is not this one.
   */
  private static Optional<PublishResult> stored(Connection c, EventRecord event) throws SQLException {
    try (PreparedStatement p = c.prepareStatement(STORED_EVENT_SQL)) {
      p.setString(1, event.id());
      p.setString(2, event.tenantId());
      p.setString(3, event.type());
      p.setString(4, event.id());
      try (ResultSet r = p.executeQuery()) {
        r.next();
        return r.getLong(1) == 0 ? Optional.empty() : Optional.of(new PublishResult(event.id(), r.getInt(2), false));
      }
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>On PostgreSQL with {@link Builder#listenForNotifications notifications}, the commit also
   * wakes the workers of every listening node.
   */
  @Override
  public PublishResult publish(Connection connection, EventRecord event) {
    requireNonNull(connection, "connection == null");
    requireNonNull(event, "event == null");
    try {
      if (connection.getAutoCommit()) {
        throw new IllegalStateException("publish(connection, …) joins the caller's transaction, but the connection "
            + "is in auto-commit mode: call setAutoCommit(false) first (or publish without a connection)");
      }
      return publishing.publish(connection, event, notify);
    } catch (SQLException e) {
      throw new WebhookStoreException("webhooks store: publish in the caller's transaction failed (SQLState "
          + e.getSQLState() + "); roll the transaction back", e);
    }
  }


  // ---- dispatching

  @Override
  public List<ClaimedDelivery> claimDue(Instant now, int limit, Duration lease, Set<UUID> skip) {
    return claims.claimDue(now, limit, lease, skip);
  }

  @Override
  public boolean recordAttempt(ClaimedDelivery claim, AttemptRecord attempt, DeliveryStatus status,
      Instant nextAttemptAt) {
    return claims.recordAttempt(claim, attempt, status, nextAttemptAt);
  }

  /** All in one transaction: one commit for all of them. */
  @Override
  public boolean[] recordAttempts(List<AttemptOutcome> outcomes) {
    return claims.recordAttempts(outcomes);
  }

  @Override
  public void release(ClaimedDelivery claim, Instant dueAt) {
    claims.release(List.of(requireNonNull(claim, "claim == null")), dueAt);
  }

  /** All in one transaction: one commit for all of them. */
  @Override
  public void releaseAll(List<ClaimedDelivery> claimed, Instant dueAt) {
    claims.release(claimed, dueAt);
  }

  // ---- the delivery log

  @Override
  public Page<DeliveryRecord> listDeliveries(String tenantId, DeliveryQuery query) {
    requireNonNull(query, "query == null");
    DeliveryLogQuery q = DeliveryLogQuery.of(tenantId, query);
    return tx("list deliveries", c -> {
      try (PreparedStatement p = c.prepareStatement(q.sql())) {
        for (int i = 0; i < q.args().size(); i++) {
          p.setObject(i + 1, q.args().get(i));
        }
        List<DeliveryRecord> items = new ArrayList<>();
        try (ResultSet r = p.executeQuery()) {
          while (r.next()) {
            items.add(Rows.delivery(r, 1));
          }
        }
        return Rows.page(items, query.page());
      }
    });
  }

  /**
   * The delivery log's statement and its parameters, built together. By the tenant's index, or by
   * the subscription's when one is asked for (the tenant then only checked, see {@link
   * Rows#checked}: the tenant's index would read all its deliveries to find one subscription's).
   */
  record DeliveryLogQuery(String sql, List<Object> args) {
    static DeliveryLogQuery of(String tenantId, DeliveryQuery query) {
      StringBuilder sql = new StringBuilder("SELECT " + Rows.DELIVERY_COLUMNS + " FROM webhook_delivery d WHERE ");
      List<Object> args = new ArrayList<>();
      args.add(tenantId);
      if (query.subscription().isPresent()) {
        sql.append(Rows.checked("d.tenant_id")).append(" AND d.subscription_id = ?");
        args.add(query.subscription().get());
      } else {
        sql.append("d.tenant_id = ?");
      }
      query.eventType().ifPresent(t -> {
        sql.append(" AND d.event_type = ?");
        args.add(t);
      });
      query.status().ifPresent(s -> {
        sql.append(" AND d.status = ?");
        args.add(s.wireName());
      });
      query.from().ifPresent(f -> {
        sql.append(" AND d.created_at >= ?");
        args.add(Rows.utc(f));
      });
      query.to().ifPresent(t -> {
        sql.append(" AND d.created_at < ?");
        args.add(Rows.utc(t));
      });
      sql.append(" ORDER BY d.seq DESC LIMIT ? OFFSET ?");
      args.add(query.page().perPage() + 1);
      args.add(query.page().offset());
      return new DeliveryLogQuery(sql.toString(), args);
    }
  }

  @Override
  public Optional<DeliveryRecord> findDelivery(String tenantId, UUID deliveryId) {
    requireNonNull(deliveryId, "deliveryId == null");
    return tx("find delivery", c -> {
      try (PreparedStatement p = c.prepareStatement(FIND_DELIVERY_SQL)) {
        p.setString(1, tenantId);
        p.setObject(2, deliveryId);
        try (ResultSet r = p.executeQuery()) {
          return r.next() ? Optional.of(Rows.delivery(r, 1)) : Optional.empty();
        }
      }
    });
  }

  @Override
  public List<AttemptRecord> listAttempts(String tenantId, UUID deliveryId) {
    requireNonNull(deliveryId, "deliveryId == null");
    return tx("list attempts", c -> {
      try (PreparedStatement p = c.prepareStatement(DELIVERY_ATTEMPTS_SQL)) {
        p.setString(1, tenantId);
        p.setObject(2, deliveryId);
        List<AttemptRecord> out = new ArrayList<>();
        try (ResultSet r = p.executeQuery()) {
          while (r.next()) {
            out.add(new AttemptRecord(deliveryId, r.getInt(1), Rows.instant(r, 2), Duration.ofMillis(r.getLong(3)),
                r.getInt(4), r.getString(5), Optional.ofNullable(r.getString(6))));
          }
        }
        return out;
      }
    });
  }

  @Override
  public boolean retryDelivery(String tenantId, UUID deliveryId, Instant at) {
    requireNonNull(deliveryId, "deliveryId == null");
    requireNonNull(at, "at == null");
    return tx("retry delivery", c -> reschedule(c, RETRY_DELIVERY_WHERE, at, tenantId, deliveryId) == 1);
  }

  @Override
  public int recoverFailed(String tenantId, UUID subscriptionId, Instant since, Instant at) {
    requireNonNull(subscriptionId, "subscriptionId == null");
    requireNonNull(since, "since == null");
    requireNonNull(at, "at == null");
    return tx("recover failed deliveries",
        c -> reschedule(c, RECOVER_FAILED_WHERE, at, tenantId, subscriptionId, Rows.utc(since)));
  }

  /** {@link #reschedule}'s statement; parameters: the time twice, then those of {@code where}. */
  static String rescheduleSql(String where) {
    return "UPDATE webhook_delivery SET status = 'pending', next_attempt_at = ?, "
        + "retry_requested_at = CASE WHEN lease_token IS NULL THEN NULL ELSE CAST(? AS TIMESTAMP WITH TIME ZONE) END WHERE " + where;
  }

  /** Pending again at {@code at}; a claimed delivery keeps its claim, and the request outlives its outcome. */
  private int reschedule(Connection c, String where, Instant at, Object... args) throws SQLException {
    try (PreparedStatement p = c.prepareStatement(rescheduleSql(where))) {
      Rows.timestamp(p, 1, at);
      Rows.timestamp(p, 2, at);
      for (int i = 0; i < args.length; i++) {
        p.setObject(i + 3, args[i]);
      }
      int n = p.executeUpdate();
      if (n > 0 && notify) {
        try (Statement s = c.createStatement()) {
          s.execute("NOTIFY " + CHANNEL);
        }
      }
      return n;
    }
  }

  // ---- retention

  /** What one purge removed. */
  public record Purged(long deliveries, long events) {}

  /**
   * Deletes finished (delivered or failed) deliveries created before {@code cutoff}, with their
   * attempts, then events created before it that no delivery refers to any more, in batches of
   * the {@linkplain Builder#purgeBatchSize batch size}, each its own short transaction, so that
   * workers and publishers are never held up for long. Pending deliveries are never purged. An
   * event's idempotency key is forgotten with the event. Safe to run on several nodes at once.
   */
  public Purged purgeFinishedBefore(Instant cutoff) {
    return retention.purgeFinishedBefore(cutoff);
  }

  // ---- secrets at rest

  /** With a key configured, seals the secrets of rows written without one, so that none stays in clear. */
  private void sealPlainSecrets() {
    int sealed = tx("seal secrets", c -> {
      Map<UUID, String> plain = new LinkedHashMap<>();
      try (PreparedStatement p = c.prepareStatement(
          "SELECT id, secrets FROM webhook_subscription WHERE secrets NOT LIKE ? FOR UPDATE")) {
        p.setString(1, SecretsAtRest.PREFIX + "%");
        try (ResultSet r = p.executeQuery()) {
          while (r.next()) {
            plain.put(r.getObject(1, UUID.class), r.getString(2));
          }
        }
      }
      try (PreparedStatement p = c.prepareStatement("UPDATE webhook_subscription SET secrets = ? WHERE id = ?")) {
        for (Map.Entry<UUID, String> e : plain.entrySet()) {
          p.setString(1, secrets.seal(e.getValue(), e.getKey().toString()));
          p.setObject(2, e.getKey());
          p.addBatch();
        }
        if (!plain.isEmpty()) {
          p.executeBatch();
        }
      }
      return plain.size();
    });
    if (sealed > 0) {
      log.info("webhooks store: sealed the signing secrets of {} subscriptions stored in clear", sealed);
    }
  }

  // ---- notifications

  /**
   * With {@link Builder#listenForNotifications notifications}, runs {@code wakeUp} whenever a
   * publish or retry on any node commits; otherwise does nothing.
   */
  @Override
  public void addWorkListener(Runnable wakeUp) {
    requireNonNull(wakeUp, "wakeUp == null");
    if (!notify) {
      return;
    }
    workListeners.add(wakeUp);
    synchronized (this) {
      if (listener == null && !closed) {
        listener = new NotificationListener(dataSource, CHANNEL, () -> workListeners.forEach(Runnable::run));
        listener.start();
      }
    }
  }

  /** Whether notifications are being listened for right now (tests wait for it). */
  boolean isListening() {
    NotificationListener l = listener;
    return l != null && l.isListening();
  }

  @Override
  public void removeWorkListener(Runnable wakeUp) {
    workListeners.remove(wakeUp);
  }

  /**
   * Stops the listener, the notifying thread (after the notification it has queued) and the
   * retention thread. The data source is the application's: it stays open.
   */
  @Override
  public void close() {
    closed = true;
    synchronized (this) {
      if (listener != null) {
        listener.close();
        listener = null;
      }
    }
    if (notifier != null) {
      notifier.close();
    }
    retention.close();
  }

  @Override
  public String toString() {
    return "JdbcWebhookStore[" + dialect + (secrets.encrypts() ? ", secrets sealed" : "")
        + (notify ? ", notifications" : "") + (retention != null ? ", retention " + retention : "") + "]";
  }

  /** Builds a {@link JdbcWebhookStore}. Not thread-safe. */
  public static final class Builder {
    private final DataSource dataSource;
    private SecretKey secretsKey;
    private boolean notify;
    private Duration retention;
    private Duration purgeInterval = Duration.ofHours(1);
    private int purgeBatchSize = 1000;
    private Clock clock = Clock.systemUTC();

    private Builder(DataSource dataSource) {
      this.dataSource = requireNonNull(dataSource, "dataSource == null");
    }

    /**
     * Seals every subscription's signing secrets with AES-GCM under {@code key} (128, 192 or 256
     * bits), so that the database never holds them in clear; rows written before are sealed when
     * the store is built. Keep the key outside the database (a KMS, the environment): without it,
     * the secrets cannot be read. Default: none.
     *
     * <pre>{@code
     * SecretKey key = new SecretKeySpec(Base64.getDecoder().decode(System.getenv("WEBHOOKS_KEY")), "AES");
     * }</pre>
     */
    public Builder secretsKey(SecretKey key) {
      this.secretsKey = requireNonNull(key, "key == null");
      SecretsAtRest.aesGcm(key); // fail here, not at build(), on a wrong key
      return this;
    }

    /**
     * PostgreSQL only: a publish or retry that commits notifies every listening node ({@code
     * LISTEN/NOTIFY}), so that its workers start at once instead of at their next poll. Each
     * listening store keeps one connection of the data source for itself, and borrows another for
     * a moment to notify: the store's own publishes are notified just after their commits, by one
     * thread, one {@code NOTIFY} covering all the publishes committed before it (PostgreSQL makes
     * notifying transactions commit one at a time); a publish in the caller's transaction notifies
     * at that commit. Default {@code false}.
     */
    public Builder listenForNotifications(boolean listen) {
      this.notify = listen;
      return this;
    }

    /**
     * Purges finished deliveries (and their attempts and events) older than {@code age}, checking
     * every {@linkplain #purgeInterval purge interval} on a background thread. Default: keep
     * everything; {@link JdbcWebhookStore#purgeFinishedBefore} purges on demand.
     */
    public Builder retention(Duration age) {
      this.retention = positive(age, "retention");
      return this;
    }

    /** How often retention runs. Default 1 hour. */
    public Builder purgeInterval(Duration interval) {
      this.purgeInterval = positive(interval, "purgeInterval");
      return this;
    }

    /** Rows deleted per purge transaction. Default 1,000. */
    public Builder purgeBatchSize(int rows) {
      if (rows < 1) {
        throw new IllegalArgumentException("purgeBatchSize must be at least 1: " + rows);
      }
      this.purgeBatchSize = rows;
      return this;
    }

    /** Time for retention cut-offs and the schema's records. Default {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock == null");
      return this;
    }

    /**
     * Creates or migrates the schema and returns the store.
     *
     * @throws WebhookStoreException when the database cannot be reached or refuses the schema
     * @throws IllegalStateException for notifications on a database other than PostgreSQL, or an H2
     *     database opened without {@code ;WRITE_DELAY=0}
     */
    public JdbcWebhookStore build() {
      return new JdbcWebhookStore(this);
    }

    private static Duration positive(Duration d, String name) {
      requireNonNull(d, name + " == null");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }
  }
}
