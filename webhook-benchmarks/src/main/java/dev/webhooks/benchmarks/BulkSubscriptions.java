package dev.webhooks.benchmarks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webhooks.core.event.EventFilter;
import dev.webhooks.core.internal.Json;
import dev.webhooks.core.subscription.Subscription;
import dev.webhooks.sender.store.SigningSecret;
import dev.webhooks.sender.store.StoredSubscription;
import dev.webhooks.sender.store.WebhookStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Writes subscriptions into a JDBC store's tables with multi-row {@code INSERT}s, 500 rows per
 * statement (on H2, JDBC batches of one-row {@code INSERT}s, which it runs faster): exactly the rows {@code JdbcWebhookStore.createSubscription} writes (the subscription
 * row at version 1 and one row per filter; secrets as plain JSON, as a store without a secrets key
 * keeps them), which {@link #checkSameRows} proves against the store itself before each
 * population. Populating 100,000 subscriptions one transaction each would take minutes; this takes
 * seconds.
 */
final class BulkSubscriptions implements Consumer<StoredSubscription>, AutoCloseable {
  private static final String SUB_COLUMNS = "id, tenant_id, url, description, enabled, disabled_reason, filters, "
      + "headers, metadata, secrets, created_at, updated_at, secret_last_rotated_at, last_delivered_at, "
      + "failing_since, version";
  private static final int SUB_PARAMS = 15; // version is the literal 1
  private static final int ROWS_PER_STATEMENT = 500;
  private static final int ROWS_PER_TRANSACTION = 5_000;

  private final Connection c;
  /** H2 runs a JDBC batch of one-row INSERTs faster than it parses a statement of many rows. */
  private final boolean batched;
  private final List<StoredSubscription> pending = new ArrayList<>();
  private int uncommitted;
  private long written;

  BulkSubscriptions(DataSource dataSource) throws SQLException {
    this.c = dataSource.getConnection();
    c.setAutoCommit(false);
    this.batched = Boolean.getBoolean("bench.bulk.batched")
        || c.getMetaData().getDatabaseProductName().equals("H2");
  }

  @Override
  public void accept(StoredSubscription s) {
    pending.add(s);
    if (pending.size() == ROWS_PER_STATEMENT) {
      flush();
    }
  }

  private void flush() {
    if (pending.isEmpty()) {
      return;
    }
    try {
      if (batched) {
        insertBatched(c, pending);
      } else {
        insert(c, pending);
      }
      uncommitted += pending.size();
      written += pending.size();
      pending.clear();
      if (uncommitted >= ROWS_PER_TRANSACTION) {
        c.commit();
        uncommitted = 0;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("bulk insert failed", e);
    }
  }

  long written() {
    return written;
  }

  @Override
  public void close() throws SQLException {
    try {
      flush();
      c.commit();
    } finally {
      c.close();
    }
  }

  private static void insert(Connection c, List<StoredSubscription> subs) throws SQLException {
    StringBuilder sql = new StringBuilder("INSERT INTO webhook_subscription (" + SUB_COLUMNS + ") VALUES ");
    String row = "(" + "?, ".repeat(SUB_PARAMS) + "1)";
    int filters = 0;
    for (int i = 0; i < subs.size(); i++) {
      sql.append(i == 0 ? "" : ", ").append(row);
      filters += subs.get(i).subscription().filters().filters().size();
    }
    try (PreparedStatement p = c.prepareStatement(sql.toString())) {
      int i = 1;
      for (StoredSubscription stored : subs) {
        i = bind(p, i, stored);
      }
      p.executeUpdate();
    }
    StringBuilder fsql = new StringBuilder(
        "INSERT INTO webhook_subscription_filter (subscription_id, tenant_id, kind, filter_value) VALUES ");
    for (int i = 0; i < filters; i++) {
      fsql.append(i == 0 ? "(?, ?, ?, ?)" : ", (?, ?, ?, ?)");
    }
    try (PreparedStatement p = c.prepareStatement(fsql.toString())) {
      int i = 1;
      for (StoredSubscription stored : subs) {
        Subscription s = stored.subscription();
        for (EventFilter f : s.filters().filters()) {
          p.setObject(i++, s.id());
          p.setString(i++, s.tenantId());
          p.setString(i++, kind(f.kind()));
          p.setString(i++, f.value());
        }
      }
      p.executeUpdate();
    }
  }

  private static void insertBatched(Connection c, List<StoredSubscription> subs) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("INSERT INTO webhook_subscription (" + SUB_COLUMNS + ") VALUES ("
        + "?, ".repeat(SUB_PARAMS) + "1)")) {
      for (StoredSubscription stored : subs) {
        bind(p, 1, stored);
        p.addBatch();
      }
      p.executeBatch();
    }
    try (PreparedStatement p = c.prepareStatement(
        "INSERT INTO webhook_subscription_filter (subscription_id, tenant_id, kind, filter_value) VALUES (?, ?, ?, ?)")) {
      for (StoredSubscription stored : subs) {
        Subscription s = stored.subscription();
        for (EventFilter f : s.filters().filters()) {
          p.setObject(1, s.id());
          p.setString(2, s.tenantId());
          p.setString(3, kind(f.kind()));
          p.setString(4, f.value());
          p.addBatch();
        }
      }
      p.executeBatch();
    }
  }

  /** The columns as {@code JdbcWebhookStore.createSubscription} binds them. */
  private static int bind(PreparedStatement p, int index, StoredSubscription stored) throws SQLException {
    Subscription s = stored.subscription();
    int i = index;
    p.setObject(i++, s.id());
    p.setString(i++, s.tenantId());
    p.setString(i++, s.url().toString());
    p.setString(i++, s.description());
    p.setBoolean(i++, s.enabled());
    p.setString(i++, s.disabledReason().map(Enum::name).orElse(null));
    p.setString(i++, json(s.events()));
    p.setString(i++, json(s.headers()));
    p.setString(i++, json(s.metadata()));
    p.setString(i++, secretsJson(stored.secrets()));
    timestamp(p, i++, s.createdAt());
    timestamp(p, i++, s.updatedAt());
    timestamp(p, i++, s.secretLastRotatedAt());
    timestamp(p, i++, s.lastDeliveredAt().orElse(null));
    timestamp(p, i++, stored.failingSince().orElse(null));
    return i;
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

  private static String secretsJson(List<SigningSecret> keys) {
    ArrayNode array = Json.MAPPER.createArrayNode();
    for (SigningSecret k : keys) {
      ObjectNode o = array.addObject().put("secret", k.secret());
      k.expiresAt().ifPresent(e -> o.put("expires_at", e.toString()));
    }
    return array.toString();
  }

  private static String json(Object value) {
    try {
      return Json.MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void timestamp(PreparedStatement p, int index, Instant value) throws SQLException {
    if (value == null) {
      p.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      p.setObject(index, OffsetDateTime.ofInstant(value.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC));
    }
  }

  /**
   * Proves that this writer writes what the store writes: {@code probe} created by the store, its
   * rows read, deleted, written by this writer, read again and compared column by column (all
   * but the creation sequence); then deleted again. Also reads it back through the store.
   *
   * @throws IllegalStateException when the rows differ
   */
  static void checkSameRows(WebhookStore store, DataSource dataSource, StoredSubscription probe) throws SQLException {
    Subscription s = probe.subscription();
    store.createSubscription(probe);
    List<String> byStore = rows(dataSource, probe);
    store.deleteSubscription(s.tenantId(), s.id());
    try (BulkSubscriptions bulk = new BulkSubscriptions(dataSource)) {
      bulk.accept(probe);
    }
    List<String> byBulk = rows(dataSource, probe);
    if (!byStore.equals(byBulk)) {
      throw new IllegalStateException("bulk rows differ from the store's:\n  store " + byStore + "\n  bulk  " + byBulk);
    }
    if (!store.findSubscription(s.tenantId(), s.id()).orElseThrow().equals(probe.withVersion(1))) {
      throw new IllegalStateException("the store reads a bulk-written subscription differently");
    }
    store.deleteSubscription(s.tenantId(), s.id());
  }

  private static List<String> rows(DataSource dataSource, StoredSubscription probe) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
      String id = probe.subscription().id().toString();
      try (ResultSet r = st.executeQuery("SELECT " + SUB_COLUMNS + " FROM webhook_subscription WHERE id = '" + id + "'")) {
        while (r.next()) {
          for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
            out.add(r.getMetaData().getColumnName(i) + "=" + r.getString(i));
          }
        }
      }
      try (ResultSet r = st.executeQuery("SELECT tenant_id, kind, filter_value FROM webhook_subscription_filter "
          + "WHERE subscription_id = '" + id + "' ORDER BY kind, filter_value")) {
        while (r.next()) {
          out.add("filter=" + r.getString(1) + "/" + r.getString(2) + "/" + r.getString(3));
        }
      }
    }
    return out;
  }
}
