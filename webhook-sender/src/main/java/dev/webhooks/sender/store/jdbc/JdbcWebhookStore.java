package dev.webhooks.sender.store.jdbc;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import dev.webhooks.core.event.EventFilter;
import dev.webhooks.core.event.EventFilterSet;
import dev.webhooks.core.internal.Json;
import dev.webhooks.core.subscription.DisabledReason;
import dev.webhooks.core.subscription.Subscription;
import dev.webhooks.sender.DeliveryQuery;
import dev.webhooks.sender.Page;
import dev.webhooks.sender.PageRequest;
import dev.webhooks.sender.PublishResult;
import dev.webhooks.sender.store.AttemptRecord;
import dev.webhooks.sender.store.ClaimedDelivery;
import dev.webhooks.sender.store.DeliveryRecord;
import dev.webhooks.sender.store.DeliveryStatus;
import dev.webhooks.sender.store.EventRecord;
import dev.webhooks.sender.store.SigningSecret;
import dev.webhooks.sender.store.StoredSubscription;
import dev.webhooks.sender.store.TransactionalWebhookStore;
import dev.webhooks.sender.store.WebhookStoreException;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 * <p>Defaults: no notifications (workers poll), keep everything, secrets stored as written (the
 * database's own encryption applies), the system clock. Timestamps are kept to the microsecond.
 * Thread-safe; every method is one transaction, retried on a deadlock or serialization failure.
 */
public final class JdbcWebhookStore implements TransactionalWebhookStore {
  private static final Logger log = LoggerFactory.getLogger(JdbcWebhookStore.class);
  /** The PostgreSQL channel a publish notifies and listening stores wait on. */
  static final String CHANNEL = "webhooks_due";
  private static final int MAX_ERROR = 500;
  private static final int TX_TRIES = 4;
  private static final TypeReference<LinkedHashMap<String, String>> STRING_MAP = new TypeReference<>() {};
  /** H2 claims are serialised per database within the process (an H2 file has one process). */
  private static final Map<String, Object> H2_CLAIM_LOCKS = new ConcurrentHashMap<>();

  private static final String SUB_COLUMNS = "s.id, s.tenant_id, s.url, s.description, s.enabled, s.disabled_reason, "
      + "s.filters, s.headers, s.metadata, s.secrets, s.created_at, s.updated_at, s.secret_last_rotated_at, "
      + "s.last_delivered_at, s.failing_since, s.version";
  private static final String DELIVERY_COLUMNS = "d.id, d.tenant_id, d.subscription_id, d.event_id, d.event_type, "
      + "d.status, d.attempt_count, d.created_at, d.next_attempt_at, d.delivered_at, d.last_http_status, d.last_error";
  private static final int DELIVERY_COLUMN_COUNT = 12;

  private final DataSource dataSource;
  private final SqlDialect dialect;
  private final Object h2ClaimLock;
  private final SecretsAtRest secrets;
  private final Clock clock;
  private final boolean notify;
  private final Duration retention;
  private final int purgeBatchSize;
  private final List<Runnable> workListeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService purger;
  private volatile NotificationListener listener;
  private volatile boolean closed;

  private JdbcWebhookStore(Builder b) {
    this.dataSource = b.dataSource;
    this.secrets = b.secretsKey == null ? SecretsAtRest.plain() : SecretsAtRest.aesGcm(b.secretsKey);
    this.clock = b.clock;
    this.retention = b.retention;
    this.purgeBatchSize = b.purgeBatchSize;
    String url;
    try {
      new SchemaMigrator(dataSource, clock).migrate();
      try (Connection c = dataSource.getConnection()) {
        this.dialect = SqlDialect.of(c);
        url = c.getMetaData().getURL();
      }
    } catch (SQLException e) {
      throw new WebhookStoreException("the webhooks schema could not be created or migrated", e);
    }
    if (b.notify && dialect != SqlDialect.POSTGRESQL) {
      throw new IllegalStateException("listenForNotifications needs PostgreSQL; this database is " + dialect);
    }
    this.notify = b.notify;
    this.h2ClaimLock = dialect == SqlDialect.H2 ? H2_CLAIM_LOCKS.computeIfAbsent(url, k -> new Object()) : null;
    if (secrets.encrypts()) {
      sealPlainSecrets();
    }
    if (retention != null) {
      purger = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "webhooks-retention");
        t.setDaemon(true);
        return t;
      });
      long every = b.purgeInterval.toMillis();
      purger.scheduleWithFixedDelay(this::purgeQuietly, every, every, TimeUnit.MILLISECONDS);
    } else {
      purger = null;
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

  // ---- transactions

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Runs {@code work} in one transaction, again on a deadlock or a serialization failure. */
  private <T> T tx(String what, Work<T> work) {
    for (int attempt = 1; ; attempt++) {
      try (Connection c = dataSource.getConnection()) {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
          T result = work.run(c);
          c.commit();
          return result;
        } catch (SQLException | RuntimeException | Error e) {
          rollbackQuietly(c, e);
          throw e;
        } finally {
          try {
            c.setAutoCommit(autoCommit);
          } catch (SQLException e) {
            log.debug("could not restore auto-commit", e);
          }
        }
      } catch (SQLException e) {
        if (attempt < TX_TRIES && isTransient(e)) {
          log.debug("webhooks store: {} collided with another transaction; trying again", what);
          continue;
        }
        throw new WebhookStoreException("webhooks store: " + what + " failed (SQLState " + e.getSQLState() + ")", e);
      }
    }
  }

  private static void rollbackQuietly(Connection c, Throwable cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  /** Deadlock, serialization failure or lock timeout: the same work may succeed when run again. */
  private static boolean isTransient(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.equals("40001") || state.equals("40P01") || state.equals("HYT00"));
  }

  private static boolean isUniqueViolation(SQLException e) {
    return "23505".equals(e.getSQLState());
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
        i = bindSubscription(p, i, s, stored.secrets());
        timestamp(p, i++, s.createdAt());
        timestamp(p, i++, s.updatedAt());
        timestamp(p, i++, s.secretLastRotatedAt());
        timestamp(p, i++, s.lastDeliveredAt().orElse(null));
        timestamp(p, i, stored.failingSince().orElse(null));
        p.executeUpdate();
      } catch (SQLException e) {
        if (isUniqueViolation(e)) {
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

  /** Binds url … secrets (8 parameters) from {@code index}; returns the next index. */
  private int bindSubscription(PreparedStatement p, int index, Subscription s, List<SigningSecret> keys)
      throws SQLException {
    int i = index;
    p.setString(i++, s.url().toString());
    p.setString(i++, s.description());
    p.setBoolean(i++, s.enabled());
    p.setString(i++, s.disabledReason().map(Enum::name).orElse(null));
    p.setString(i++, json(s.events()));
    p.setString(i++, json(s.headers()));
    p.setString(i++, json(s.metadata()));
    p.setString(i++, secrets.seal(secretsJson(keys), s.id().toString()));
    return i;
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
        p.setString(3, kind(f.kind()));
        p.setString(4, f.value());
        p.addBatch();
      }
      p.executeBatch();
    }
  }

  private static String kind(EventFilter.Kind kind) {
    switch (kind) {
      case ALL:
        return "A";
      case EXACT:
        return "E";
      case PREFIX:
        return "P";
      default:
        throw new AssertionError(kind);
    }
  }

  @Override
  public Optional<StoredSubscription> findSubscription(String tenantId, UUID id) {
    requireNonNull(id, "id == null");
    return tx("find subscription", c -> {
      try (PreparedStatement p = c.prepareStatement(
          "SELECT " + SUB_COLUMNS + " FROM webhook_subscription s WHERE s.tenant_id = ? AND s.id = ?")) {
        p.setString(1, tenantId);
        p.setObject(2, id);
        try (ResultSet r = p.executeQuery()) {
          return r.next() ? Optional.of(subscription(r, 1)) : Optional.empty();
        }
      }
    });
  }

  @Override
  public Page<Subscription> listSubscriptions(String tenantId, PageRequest page) {
    requireNonNull(page, "page == null");
    return tx("list subscriptions", c -> {
      try (PreparedStatement p = c.prepareStatement("SELECT " + SUB_COLUMNS
          + " FROM webhook_subscription s WHERE s.tenant_id = ? ORDER BY s.seq LIMIT ? OFFSET ?")) {
        p.setString(1, tenantId);
        p.setInt(2, page.perPage() + 1); // one more tells whether a next page exists
        p.setLong(3, page.offset());
        List<Subscription> items = new ArrayList<>();
        try (ResultSet r = p.executeQuery()) {
          while (r.next()) {
            items.add(subscription(r, 1).subscription());
          }
        }
        return page(items, page);
      }
    });
  }

  @Override
  public boolean updateSubscription(StoredSubscription stored) {
    Subscription s = requireNonNull(stored, "subscription == null").subscription();
    Optional<Boolean> outcome = tx("update subscription", c -> {
      boolean wasEnabled;
      try (PreparedStatement p = c.prepareStatement(
          "SELECT version, enabled FROM webhook_subscription WHERE tenant_id = ? AND id = ? FOR UPDATE")) {
        p.setString(1, s.tenantId());
        p.setObject(2, s.id());
        try (ResultSet r = p.executeQuery()) {
          if (!r.next()) {
            throw notFound("subscription");
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
        int i = bindSubscription(p, 1, s, stored.secrets());
        timestamp(p, i++, s.updatedAt());
        timestamp(p, i++, s.secretLastRotatedAt());
        p.setBoolean(i++, s.enabled() && !wasEnabled);
        p.setObject(i, s.id());
        p.executeUpdate();
      } catch (SQLException e) {
        if (isUniqueViolation(e)) {
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
      try (PreparedStatement p = c.prepareStatement("DELETE FROM webhook_subscription WHERE tenant_id = ? AND id = ?")) {
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
      try (PreparedStatement p = c.prepareStatement("UPDATE webhook_subscription SET enabled = FALSE, "
          + "disabled_reason = ?, updated_at = ?, version = version + 1 WHERE tenant_id = ? AND id = ? AND enabled")) {
        p.setString(1, reason.name());
        timestamp(p, 2, at);
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
    return tx("publish", c -> publishIn(c, event));
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
      return publishIn(connection, event);
    } catch (SQLException e) {
      throw new WebhookStoreException("webhooks store: publish in the caller's transaction failed (SQLState "
          + e.getSQLState() + "); roll the transaction back", e);
    }
  }

  private PublishResult publishIn(Connection c, EventRecord event) throws SQLException {
    Optional<String> key = event.idempotencyKey();
    if (key.isPresent()) {
      Optional<String> first = insertEventOnce(c, event);
      if (first.isPresent()) {
        return new PublishResult(first.get(), 0, true);
      }
    } else {
      if (event.onlySubscription().isPresent()) {
        requireSubscription(c, event.tenantId(), event.onlySubscription().get());
      }
      insertEvent(c, event, false);
    }
    int count = event.onlySubscription().isPresent() ? insertTestDelivery(c, event) : fanOut(c, event);
    if (count == 0 && key.isEmpty()) {
      // Nothing to send and no key to remember: the event need not stay.
      try (PreparedStatement p = c.prepareStatement("DELETE FROM webhook_event WHERE id = ?")) {
        p.setString(1, event.id());
        p.executeUpdate();
      }
    }
    if (count > 0 && notify) {
      try (Statement s = c.createStatement()) {
        s.execute("NOTIFY " + CHANNEL); // delivered at commit; nothing on rollback
      }
    }
    return new PublishResult(event.id(), count, false);
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
        if (!isUniqueViolation(e)) {
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
    try (PreparedStatement p = c.prepareStatement("INSERT INTO webhook_event "
        + "(id, tenant_id, type, created_at, payload, idempotency_key) VALUES (?, ?, ?, ?, ?, ?)"
        + (onConflictDoNothing ? " ON CONFLICT (tenant_id, idempotency_key) DO NOTHING" : ""))) {
      p.setString(1, event.id());
      p.setString(2, event.tenantId());
      p.setString(3, event.type());
      timestamp(p, 4, event.createdAt());
      p.setBytes(5, event.payload());
      p.setString(6, event.idempotencyKey().orElse(null));
      return p.executeUpdate() == 1;
    }
  }

  private static void requireSubscription(Connection c, String tenantId, UUID id) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM webhook_subscription WHERE tenant_id = ? AND id = ?")) {
      p.setString(1, tenantId);
      p.setObject(2, id);
      try (ResultSet r = p.executeQuery()) {
        if (!r.next()) {
          throw notFound("subscription");
        }
      }
    }
  }

  /** One pending delivery per enabled subscription of the tenant with a filter matching the type, in one statement. */
  private int fanOut(Connection c, EventRecord event) throws SQLException {
    List<String> prefixes = prefixes(event.type());
    StringBuilder sql = new StringBuilder("INSERT INTO webhook_delivery (id, tenant_id, subscription_id, event_id, "
        + "event_type, status, attempt_count, created_at, next_attempt_at) SELECT ")
        .append(dialect.newUuid())
        .append(", s.tenant_id, s.id, ?, ?, 'pending', 0, ?, ? FROM webhook_subscription s WHERE s.tenant_id = ? "
            + "AND s.enabled AND s.id IN (SELECT f.subscription_id FROM webhook_subscription_filter f "
            + "WHERE f.tenant_id = ? AND (f.kind = 'A' OR (f.kind = 'E' AND f.filter_value = ?)");
    if (!prefixes.isEmpty()) {
      sql.append(" OR (f.kind = 'P' AND f.filter_value IN (").append("?, ".repeat(prefixes.size() - 1)).append("?))");
    }
    sql.append("))");
    try (PreparedStatement p = c.prepareStatement(sql.toString())) {
      int i = 1;
      p.setString(i++, event.id());
      p.setString(i++, event.type());
      timestamp(p, i++, event.createdAt());
      timestamp(p, i++, event.createdAt());
      p.setString(i++, event.tenantId());
      p.setString(i++, event.tenantId());
      p.setString(i++, event.type());
      for (String prefix : prefixes) {
        p.setString(i++, prefix);
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
      timestamp(p, 6, event.createdAt());
      timestamp(p, 7, event.createdAt());
      return p.executeUpdate();
    }
  }

  // ---- dispatching

  @Override
  public List<ClaimedDelivery> claimDue(Instant now, int limit, Duration lease, Set<UUID> skip) {
    requireNonNull(now, "now == null");
    requireNonNull(lease, "lease == null");
    requireNonNull(skip, "skip == null");
    if (limit < 1) {
      throw new IllegalArgumentException("limit < 1");
    }
    String token = UUID.randomUUID().toString();
    Instant until = now.plus(lease);
    if (h2ClaimLock != null) {
      synchronized (h2ClaimLock) {
        return tx("claim due deliveries", c -> claim(c, now, limit, until, skip, token));
      }
    }
    return tx("claim due deliveries", c -> claim(c, now, limit, until, skip, token));
  }

  private List<ClaimedDelivery> claim(Connection c, Instant now, int limit, Instant until, Set<UUID> skip, String token)
      throws SQLException {
    String due = "SELECT d.id FROM webhook_delivery d JOIN webhook_subscription s ON s.id = d.subscription_id "
        + "WHERE d.status = 'pending' AND d.next_attempt_at <= ? "
        + "AND (d.lease_expires_at IS NULL OR d.lease_expires_at <= ?) AND (s.enabled OR d.bypass_disabled)"
        + (skip.isEmpty() ? "" : " AND d.subscription_id NOT IN (" + "?, ".repeat(skip.size() - 1) + "?)")
        + " ORDER BY d.next_attempt_at, d.id LIMIT ?";
    List<UUID> ids = new ArrayList<>();
    if (dialect == SqlDialect.POSTGRESQL) {
      // One statement: rows another node is claiming right now are skipped, not waited for.
      try (PreparedStatement p = c.prepareStatement("UPDATE webhook_delivery SET lease_token = ?, lease_expires_at = ? "
          + "WHERE id IN (" + due + " FOR UPDATE OF d SKIP LOCKED) RETURNING id")) {
        p.setString(1, token);
        timestamp(p, 2, until);
        bindDue(p, 3, now, skip, limit);
        try (ResultSet r = p.executeQuery()) {
          while (r.next()) {
            ids.add(r.getObject(1, UUID.class));
          }
        }
      }
    } else {
      List<UUID> candidates = new ArrayList<>();
      try (PreparedStatement p = c.prepareStatement(due)) {
        bindDue(p, 1, now, skip, limit);
        try (ResultSet r = p.executeQuery()) {
          while (r.next()) {
            candidates.add(r.getObject(1, UUID.class));
          }
        }
      }
      try (PreparedStatement p = c.prepareStatement("UPDATE webhook_delivery SET lease_token = ?, lease_expires_at = ? "
          + "WHERE id = ? AND status = 'pending' AND (lease_expires_at IS NULL OR lease_expires_at <= ?)")) {
        for (UUID id : candidates) {
          p.setString(1, token);
          timestamp(p, 2, until);
          p.setObject(3, id);
          timestamp(p, 4, now);
          if (p.executeUpdate() == 1) {
            ids.add(id);
          }
        }
      }
    }
    if (ids.isEmpty()) {
      return List.of();
    }
    List<ClaimedDelivery> out = new ArrayList<>(ids.size());
    Map<String, byte[]> payloads = new HashMap<>();
    Map<UUID, StoredSubscription> subscriptions = new HashMap<>();
    try (PreparedStatement p = c.prepareStatement("SELECT " + DELIVERY_COLUMNS + ", " + SUB_COLUMNS + ", e.payload "
        + "FROM webhook_delivery d JOIN webhook_subscription s ON s.id = d.subscription_id "
        + "JOIN webhook_event e ON e.id = d.event_id WHERE d.id IN (" + "?, ".repeat(ids.size() - 1) + "?) "
        + "ORDER BY d.next_attempt_at, d.id")) {
      for (int i = 0; i < ids.size(); i++) {
        p.setObject(i + 1, ids.get(i));
      }
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          DeliveryRecord d = delivery(r, 1);
          // One copy of a payload and of a subscription per batch, shared by its claims.
          StoredSubscription sub = subscriptions.get(d.subscriptionId());
          if (sub == null) {
            sub = subscription(r, DELIVERY_COLUMN_COUNT + 1);
            subscriptions.put(d.subscriptionId(), sub);
          }
          byte[] payload = payloads.get(d.eventId());
          if (payload == null) {
            payload = r.getBytes(DELIVERY_COLUMN_COUNT + 17);
            payloads.put(d.eventId(), payload);
          }
          out.add(new ClaimedDelivery(d, sub, payload, token, until));
        }
      }
    }
    return out;
  }

  private static void bindDue(PreparedStatement p, int index, Instant now, Set<UUID> skip, int limit)
      throws SQLException {
    int i = index;
    timestamp(p, i++, now);
    timestamp(p, i++, now);
    for (UUID id : skip) {
      p.setObject(i++, id);
    }
    p.setInt(i, limit);
  }

  @Override
  public boolean recordAttempt(ClaimedDelivery claim, AttemptRecord attempt, DeliveryStatus status,
      Instant nextAttemptAt) {
    requireNonNull(claim, "claim == null");
    requireNonNull(attempt, "attempt == null");
    requireNonNull(status, "status == null");
    if (status == DeliveryStatus.PENDING) {
      requireNonNull(nextAttemptAt, "nextAttemptAt == null for a pending delivery");
    }
    return tx("record attempt", c -> {
      int attempts;
      Instant retryRequested;
      UUID subscriptionId;
      try (PreparedStatement p = c.prepareStatement("SELECT attempt_count, retry_requested_at, subscription_id "
          + "FROM webhook_delivery WHERE id = ? AND lease_token = ? FOR UPDATE")) {
        p.setObject(1, claim.delivery().id());
        p.setString(2, claim.leaseToken());
        try (ResultSet r = p.executeQuery()) {
          if (!r.next()) {
            return false; // the lease was lost, or the delivery deleted
          }
          attempts = r.getInt(1);
          retryRequested = instant(r, 2);
          subscriptionId = r.getObject(3, UUID.class);
        }
      }
      DeliveryStatus outcome = status;
      Instant next = status == DeliveryStatus.PENDING ? nextAttemptAt : null;
      if (retryRequested != null && status != DeliveryStatus.DELIVERED) {
        outcome = DeliveryStatus.PENDING; // a manual retry asked for meanwhile wins
        next = retryRequested;
      }
      Instant end = attempt.startedAt().plus(attempt.duration());
      try (PreparedStatement p = c.prepareStatement("INSERT INTO webhook_attempt (delivery_id, attempt_number, "
          + "started_at, duration_ms, http_status, response_excerpt, error) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        p.setObject(1, claim.delivery().id());
        p.setInt(2, attempts + 1);
        timestamp(p, 3, attempt.startedAt());
        p.setLong(4, attempt.duration().toMillis());
        p.setInt(5, attempt.httpStatus());
        p.setString(6, cap(attempt.responseExcerpt(), SqlDialect.MAX_TEXT));
        p.setString(7, attempt.error().map(e -> cap(e, MAX_ERROR)).orElse(null));
        p.executeUpdate();
      }
      try (PreparedStatement p = c.prepareStatement("UPDATE webhook_delivery SET status = ?, attempt_count = ?, "
          + "next_attempt_at = ?, delivered_at = COALESCE(?, delivered_at), "
          + "last_http_status = COALESCE(?, last_http_status), last_error = ?, lease_token = NULL, "
          + "lease_expires_at = NULL, retry_requested_at = NULL, bypass_disabled = FALSE WHERE id = ?")) {
        p.setString(1, outcome.wireName());
        p.setInt(2, attempts + 1);
        timestamp(p, 3, next);
        timestamp(p, 4, outcome == DeliveryStatus.DELIVERED ? end : null);
        if (attempt.httpStatus() > 0) {
          p.setInt(5, attempt.httpStatus());
        } else {
          p.setNull(5, Types.INTEGER);
        }
        p.setString(6, attempt.error().map(e -> cap(e, MAX_ERROR)).orElse(null));
        p.setObject(7, claim.delivery().id());
        p.executeUpdate();
      }
      if (outcome == DeliveryStatus.DELIVERED) {
        try (PreparedStatement p = c.prepareStatement("UPDATE webhook_subscription SET failing_since = NULL, "
            + "last_delivered_at = CASE WHEN last_delivered_at IS NULL OR last_delivered_at < ? THEN ? "
            + "ELSE last_delivered_at END WHERE id = ?")) {
          timestamp(p, 1, end);
          timestamp(p, 2, end);
          p.setObject(3, subscriptionId);
          p.executeUpdate();
        }
      } else {
        try (PreparedStatement p = c.prepareStatement(
            "UPDATE webhook_subscription SET failing_since = ? WHERE id = ? AND failing_since IS NULL")) {
          timestamp(p, 1, attempt.startedAt());
          p.setObject(2, subscriptionId);
          p.executeUpdate();
        }
      }
      return true;
    });
  }

  @Override
  public void release(ClaimedDelivery claim, Instant dueAt) {
    requireNonNull(claim, "claim == null");
    requireNonNull(dueAt, "dueAt == null");
    tx("release claim", c -> {
      // A manual retry asked for meanwhile keeps its earlier time.
      try (PreparedStatement p = c.prepareStatement("UPDATE webhook_delivery SET lease_token = NULL, "
          + "lease_expires_at = NULL, status = 'pending', bypass_disabled = FALSE, "
          + "next_attempt_at = CASE WHEN retry_requested_at IS NOT NULL AND retry_requested_at < ? "
          + "THEN retry_requested_at ELSE ? END, retry_requested_at = NULL WHERE id = ? AND lease_token = ?")) {
        timestamp(p, 1, dueAt);
        timestamp(p, 2, dueAt);
        p.setObject(3, claim.delivery().id());
        p.setString(4, claim.leaseToken());
        return p.executeUpdate();
      }
    });
  }

  // ---- the delivery log

  @Override
  public Page<DeliveryRecord> listDeliveries(String tenantId, DeliveryQuery query) {
    requireNonNull(query, "query == null");
    StringBuilder sql = new StringBuilder("SELECT " + DELIVERY_COLUMNS + " FROM webhook_delivery d WHERE d.tenant_id = ?");
    List<Object> args = new ArrayList<>();
    args.add(tenantId);
    query.subscription().ifPresent(s -> {
      sql.append(" AND d.subscription_id = ?");
      args.add(s);
    });
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
      args.add(utc(f));
    });
    query.to().ifPresent(t -> {
      sql.append(" AND d.created_at < ?");
      args.add(utc(t));
    });
    sql.append(" ORDER BY d.seq DESC LIMIT ? OFFSET ?");
    return tx("list deliveries", c -> {
      try (PreparedStatement p = c.prepareStatement(sql.toString())) {
        int i = 1;
        for (Object arg : args) {
          p.setObject(i++, arg);
        }
        p.setInt(i++, query.page().perPage() + 1);
        p.setLong(i, query.page().offset());
        List<DeliveryRecord> items = new ArrayList<>();
        try (ResultSet r = p.executeQuery()) {
          while (r.next()) {
            items.add(delivery(r, 1));
          }
        }
        return page(items, query.page());
      }
    });
  }

  @Override
  public Optional<DeliveryRecord> findDelivery(String tenantId, UUID deliveryId) {
    requireNonNull(deliveryId, "deliveryId == null");
    return tx("find delivery", c -> {
      try (PreparedStatement p = c.prepareStatement(
          "SELECT " + DELIVERY_COLUMNS + " FROM webhook_delivery d WHERE d.tenant_id = ? AND d.id = ?")) {
        p.setString(1, tenantId);
        p.setObject(2, deliveryId);
        try (ResultSet r = p.executeQuery()) {
          return r.next() ? Optional.of(delivery(r, 1)) : Optional.empty();
        }
      }
    });
  }

  @Override
  public List<AttemptRecord> listAttempts(String tenantId, UUID deliveryId) {
    requireNonNull(deliveryId, "deliveryId == null");
    return tx("list attempts", c -> {
      try (PreparedStatement p = c.prepareStatement("SELECT a.attempt_number, a.started_at, a.duration_ms, "
          + "a.http_status, a.response_excerpt, a.error FROM webhook_attempt a JOIN webhook_delivery d "
          + "ON d.id = a.delivery_id WHERE d.tenant_id = ? AND d.id = ? ORDER BY a.attempt_number")) {
        p.setString(1, tenantId);
        p.setObject(2, deliveryId);
        List<AttemptRecord> out = new ArrayList<>();
        try (ResultSet r = p.executeQuery()) {
          while (r.next()) {
            out.add(new AttemptRecord(deliveryId, r.getInt(1), instant(r, 2), Duration.ofMillis(r.getLong(3)),
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
    return tx("retry delivery", c -> reschedule(c, "tenant_id = ? AND id = ?", at, tenantId, deliveryId) == 1);
  }

  @Override
  public int recoverFailed(String tenantId, UUID subscriptionId, Instant since, Instant at) {
    requireNonNull(subscriptionId, "subscriptionId == null");
    requireNonNull(since, "since == null");
    requireNonNull(at, "at == null");
    return tx("recover failed deliveries", c -> reschedule(c,
        "tenant_id = ? AND subscription_id = ? AND status = 'failed' AND created_at >= ?", at, tenantId,
        subscriptionId, utc(since)));
  }

  /** Pending again at {@code at}; a claimed delivery keeps its claim, and the request outlives its outcome. */
  private int reschedule(Connection c, String where, Instant at, Object... args) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("UPDATE webhook_delivery SET status = 'pending', next_attempt_at = ?, "
        + "retry_requested_at = CASE WHEN lease_token IS NULL THEN NULL ELSE ? END WHERE " + where)) {
      timestamp(p, 1, at);
      timestamp(p, 2, at);
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
    requireNonNull(cutoff, "cutoff == null");
    long deliveries = 0;
    long events = 0;
    int n;
    do {
      n = tx("purge deliveries", c -> {
        try (PreparedStatement p = c.prepareStatement("DELETE FROM webhook_delivery WHERE id IN (SELECT id FROM "
            + "webhook_delivery WHERE created_at < ? AND status <> 'pending' ORDER BY created_at LIMIT ?)")) {
          timestamp(p, 1, cutoff);
          p.setInt(2, purgeBatchSize);
          return p.executeUpdate();
        }
      });
      deliveries += n;
    } while (n == purgeBatchSize && !closed);
    do {
      n = tx("purge events", c -> {
        try (PreparedStatement p = c.prepareStatement("DELETE FROM webhook_event WHERE id IN (SELECT e.id FROM "
            + "webhook_event e WHERE e.created_at < ? AND NOT EXISTS (SELECT 1 FROM webhook_delivery d "
            + "WHERE d.event_id = e.id) ORDER BY e.created_at LIMIT ?)")) {
          timestamp(p, 1, cutoff);
          p.setInt(2, purgeBatchSize);
          return p.executeUpdate();
        }
      });
      events += n;
    } while (n == purgeBatchSize && !closed);
    return new Purged(deliveries, events);
  }

  private void purgeQuietly() {
    try {
      Purged p = purgeFinishedBefore(clock.instant().minus(retention));
      if (p.deliveries() > 0 || p.events() > 0) {
        log.info("webhooks retention: purged {} deliveries and {} events older than {}", p.deliveries(), p.events(),
            retention);
      }
    } catch (RuntimeException e) {
      log.warn("webhooks retention: purge failed; trying again at the next interval", e);
    }
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

  /** Stops the listener and the retention thread. The data source is the application's: it stays open. */
  @Override
  public void close() {
    closed = true;
    synchronized (this) {
      if (listener != null) {
        listener.close();
        listener = null;
      }
    }
    if (purger != null) {
      purger.shutdownNow();
    }
  }

  // ---- rows

  private StoredSubscription subscription(ResultSet r, int at) throws SQLException {
    UUID id = r.getObject(at, UUID.class);
    String reason = r.getString(at + 5);
    Subscription s = Subscription.builder()
        .id(id)
        .tenantId(r.getString(at + 1))
        .url(URI.create(r.getString(at + 2)))
        .description(r.getString(at + 3))
        .enabled(r.getBoolean(at + 4))
        .disabledReason(reason == null ? null : DisabledReason.valueOf(reason))
        .filters(filters(r.getString(at + 6)))
        .headers(readMap(r.getString(at + 7)))
        .metadata(readMap(r.getString(at + 8)))
        .createdAt(instant(r, at + 10))
        .updatedAt(instant(r, at + 11))
        .secretLastRotatedAt(instant(r, at + 12))
        .lastDeliveredAt(instant(r, at + 13))
        .build();
    List<SigningSecret> keys = readSecrets(secrets.open(r.getString(at + 9), id.toString()));
    return new StoredSubscription(s, keys, Optional.ofNullable(instant(r, at + 14)), r.getLong(at + 15));
  }

  private static DeliveryRecord delivery(ResultSet r, int at) throws SQLException {
    DeliveryStatus status = DeliveryStatus.valueOf(r.getString(at + 5).toUpperCase(Locale.ROOT));
    int http = r.getInt(at + 10);
    Optional<Integer> lastHttp = r.wasNull() ? Optional.empty() : Optional.of(http);
    return new DeliveryRecord(r.getObject(at, UUID.class), r.getString(at + 1), r.getObject(at + 2, UUID.class),
        r.getString(at + 3), r.getString(at + 4), status, r.getInt(at + 6), instant(r, at + 7),
        status == DeliveryStatus.PENDING ? Optional.ofNullable(instant(r, at + 8)) : Optional.empty(),
        Optional.ofNullable(instant(r, at + 9)), lastHttp, Optional.ofNullable(r.getString(at + 11)));
  }

  private static EventFilterSet filters(String json) {
    List<EventFilter> out = new ArrayList<>();
    for (JsonNode n : readTree(json)) {
      out.add(EventFilter.parse(n.asText()));
    }
    return EventFilterSet.of(out);
  }

  private static String secretsJson(List<SigningSecret> keys) {
    ArrayNode array = Json.MAPPER.createArrayNode();
    for (SigningSecret k : keys) {
      ObjectNode o = array.addObject().put("secret", k.secret());
      k.expiresAt().ifPresent(e -> o.put("expires_at", e.toString()));
    }
    return array.toString();
  }

  private static List<SigningSecret> readSecrets(String json) {
    List<SigningSecret> out = new ArrayList<>();
    for (JsonNode n : readTree(json)) {
      String secret = n.path("secret").asText();
      JsonNode expires = n.get("expires_at");
      out.add(expires == null ? SigningSecret.current(secret) : SigningSecret.expiring(secret, Instant.parse(expires.asText())));
    }
    return out;
  }

  private static JsonNode readTree(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      // Never echo the column: it may hold secrets.
      throw new IllegalStateException("a webhooks store row holds malformed JSON");
    }
  }

  private static Map<String, String> readMap(String json) {
    try {
      return Json.MAPPER.readValue(json, STRING_MAP);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a webhooks store row holds malformed JSON");
    }
  }

  private static String json(Object value) {
    try {
      return Json.MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  private static <T> Page<T> page(List<T> items, PageRequest page) {
    boolean more = items.size() > page.perPage();
    return new Page<>(more ? items.subList(0, page.perPage()) : items, page, more);
  }

  private static OffsetDateTime utc(Instant i) {
    return OffsetDateTime.ofInstant(i.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
  }

  private static void timestamp(PreparedStatement p, int index, Instant value) throws SQLException {
    if (value == null) {
      p.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      p.setObject(index, utc(value));
    }
  }

  private static Instant instant(ResultSet r, int index) throws SQLException {
    OffsetDateTime t = r.getObject(index, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  private static String cap(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

  private static WebhookValidationException notFound(String what) {
    return new WebhookValidationException(ErrorCode.NOT_FOUND, null, what + " not found");
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
     * listening store keeps one connection of the data source for itself. Default {@code false}.
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
     * @throws IllegalStateException for notifications on a database other than PostgreSQL
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
