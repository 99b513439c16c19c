package dev.webhooks.sender.store.jdbc;

import static java.util.Objects.requireNonNull;

import dev.webhooks.sender.store.AttemptOutcome;
import dev.webhooks.sender.store.AttemptRecord;
import dev.webhooks.sender.store.ClaimedDelivery;
import dev.webhooks.sender.store.DeliveryRecord;
import dev.webhooks.sender.store.DeliveryStatus;
import dev.webhooks.sender.store.StoredSubscription;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands due deliveries to workers, each to one claimant for the length of a lease, and takes
 * their outcomes back. On PostgreSQL a claim is one {@code UPDATE … WHERE id = ANY(ARRAY(SELECT …
 * FOR UPDATE SKIP LOCKED))} that answers the claimed rows, sent with its planner settings in one
 * round trip: nodes claiming at once skip each other's rows instead of waiting. On H2
 * (one process per file) claims are serialised in the process, and each row is taken with a
 * conditional update.
 */
final class Claims {
  /** H2 claims are serialised per database within the process (an H2 file has one process). */
  private static final Map<String, Object> H2_CLAIM_LOCKS = new ConcurrentHashMap<>();

  private final Transactions transactions;
  private final Rows rows;
  private final SqlDialect dialect;
  private final Object h2ClaimLock;

  Claims(Transactions transactions, Rows rows, SqlDialect dialect, String url) {
    this.transactions = transactions;
    this.rows = rows;
    this.dialect = dialect;
    this.h2ClaimLock = dialect == SqlDialect.H2 ? H2_CLAIM_LOCKS.computeIfAbsent(url, k -> new Object()) : null;
  }

  List<ClaimedDelivery> claimDue(Instant now, int limit, Duration lease, Set<UUID> skip) {
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
        return transactions.run("claim due deliveries", c -> claimOnH2(c, now, limit, until, skip, token));
      }
    }
    // One round trip, in the transaction that ends with it: safe to repeat, since the rows an
    // attempt claimed but never answered for are claimable again when their lease runs out.
    return transactions.runAutoCommitted("claim due deliveries",
        c -> claimOnPostgres(c, now, limit, until, skip, token));
  }

  /**
   * PostgreSQL: the planner settings and the claim, sent together and run in one implicit
   * transaction that commits when they end (the extended protocol's Sync): one round trip, where
   * the settings, the claim, the read of the claimed rows and the commit took four.
   */
  private List<ClaimedDelivery> claimOnPostgres(Connection c, Instant now, int limit, Instant until, Set<UUID> skip,
      String token) throws SQLException {
    try (PreparedStatement p = c.prepareStatement(POSTGRES_CLAIM_PLANNER + ";\n" + postgresClaimSql(skip.size()))) {
      p.setString(1, token);
      Rows.timestamp(p, 2, until);
      bindDue(p, 3, now, skip, limit);
      p.execute(); // the settings' row
      if (!p.getMoreResults()) {
        throw new SQLException("the claim answered no rows", "XX000");
      }
      try (ResultSet r = p.getResultSet()) {
        return claimedRows(r, token, until);
      }
    }
  }

  /** H2 (claims serialised in the process): the due ids, then each taken with a conditional update. */
  private List<ClaimedDelivery> claimOnH2(Connection c, Instant now, int limit, Instant until, Set<UUID> skip,
      String token) throws SQLException {
    List<UUID> candidates = new ArrayList<>();
    try (PreparedStatement p = c.prepareStatement(dueSql(skip.size()))) {
      bindDue(p, 1, now, skip, limit);
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          candidates.add(r.getObject(1, UUID.class));
        }
      }
    }
    List<UUID> ids = new ArrayList<>();
    try (PreparedStatement p = c.prepareStatement("UPDATE webhook_delivery SET lease_token = ?, lease_expires_at = ? "
        + "WHERE id = ? AND status = 'pending' AND (lease_expires_at IS NULL OR lease_expires_at <= ?)")) {
      for (UUID id : candidates) {
        p.setString(1, token);
        Rows.timestamp(p, 2, until);
        p.setObject(3, id);
        Rows.timestamp(p, 4, now);
        if (p.executeUpdate() == 1) {
          ids.add(id);
        }
      }
    }
    if (ids.isEmpty()) {
      return List.of();
    }
    try (PreparedStatement p = c.prepareStatement(claimedRowsSql(ids.size()))) {
      for (int i = 0; i < ids.size(); i++) {
        p.setObject(i + 1, ids.get(i));
      }
      try (ResultSet r = p.executeQuery()) {
        return claimedRows(r, token, until);
      }
    }
  }

  /** Due order, then id: how claims are handed out, whatever order the rows came in. */
  private static final Comparator<ClaimedDelivery> DUE_ORDER = Comparator
      .comparing((ClaimedDelivery c) -> c.delivery().nextAttemptAt().orElse(Instant.MIN))
      .thenComparing(c -> c.delivery().id());

  /** Claims from rows of delivery, subscription and payload columns ({@link #claimedRowsSql}), in due order. */
  private List<ClaimedDelivery> claimedRows(ResultSet r, String token, Instant until) throws SQLException {
    List<ClaimedDelivery> out = new ArrayList<>();
    Map<String, byte[]> payloads = new HashMap<>();
    Map<UUID, StoredSubscription> subscriptions = new HashMap<>();
    while (r.next()) {
      DeliveryRecord d = Rows.delivery(r, 1);
      // One copy of a payload and of a subscription per batch, shared by its claims.
      StoredSubscription sub = subscriptions.get(d.subscriptionId());
      if (sub == null) {
        sub = rows.subscription(r, Rows.DELIVERY_COLUMN_COUNT + 1);
        subscriptions.put(d.subscriptionId(), sub);
      }
      byte[] payload = payloads.get(d.eventId());
      if (payload == null) {
        payload = r.getBytes(Rows.CLAIM_PAYLOAD_COLUMN);
        payloads.put(d.eventId(), payload);
      }
      out.add(new ClaimedDelivery(d, sub, payload, token, until));
    }
    out.sort(DUE_ORDER);
    return out;
  }

  /**
   * H2: the claimed deliveries' rows, with their subscriptions and payloads; parameters: the ids.
   * (PostgreSQL's claim answers them itself: {@link #postgresClaimSql}.)
   */
  static String claimedRowsSql(int ids) {
    return "SELECT " + Rows.DELIVERY_COLUMNS + ", " + Rows.SUB_COLUMNS + ", e.payload "
        + "FROM webhook_delivery d JOIN webhook_subscription s ON s.id = d.subscription_id "
        + "JOIN webhook_event e ON e.id = d.event_id WHERE d.id IN (" + "?, ".repeat(ids - 1) + "?)";
  }

  /**
   * The due deliveries' ids, in due order, up to a limit; parameters: now, now, the {@code skip}
   * subscriptions, the limit.
   */
  static String dueSql(int skip) {
    return "SELECT d.id FROM webhook_delivery d JOIN webhook_subscription s ON s.id = d.subscription_id "
        + "WHERE d.status = 'pending' AND d.next_attempt_at <= ? "
        + "AND (d.lease_expires_at IS NULL OR d.lease_expires_at <= ?) AND (s.enabled OR d.bypass_disabled)"
        + (skip == 0 ? "" : " AND d.subscription_id NOT IN (" + "?, ".repeat(skip - 1) + "?)")
        // In due order only, which the due index gives: the scan stops at the limit. Ordering by id
        // too made every claim read and sort all the due rows (24 ms for 10,000 of them).
        + " ORDER BY d.next_attempt_at LIMIT ?";
  }

  /**
   * PostgreSQL's claim, answering the claimed rows as {@link #claimedRowsSql} does (in no
   * particular order): parameters the token, the lease's end, then those of {@link #dueSql}. The
   * due ids are gathered first ({@code = ANY(ARRAY(…))}, run once), then their rows are found by
   * primary key; with {@code id IN (…)} the planner joined them to a scan of the whole table. Rows
   * another node is claiming right now are skipped, not waited for. Run after {@link
   * #POSTGRES_CLAIM_PLANNER}, in the same transaction.
   */
  static String postgresClaimSql(int skip) {
    return "WITH c AS (UPDATE webhook_delivery SET lease_token = ?, lease_expires_at = ? "
        + "WHERE id = ANY(ARRAY(" + dueSql(skip) + " FOR UPDATE OF d SKIP LOCKED)) RETURNING *) "
        + "SELECT " + Rows.DELIVERY_COLUMNS + ", " + Rows.SUB_COLUMNS + ", e.payload "
        + "FROM c d JOIN webhook_subscription s ON s.id = d.subscription_id JOIN webhook_event e ON e.id = d.event_id";
  }

  /**
   * Planner settings for the claim's transaction alone ({@code set_config(…, true)} ends with it):
   * no sequential scans, sorts, hash or merge joins, so that the claim walks the due index in order
   * and finds rows by primary key whatever the statistics say. Without them, a connection that
   * first claimed while the tables were empty (a new deployment, before autovacuum's first
   * ANALYZE) cached a plan that scanned the whole delivery table at every claim (22-79 ms at
   * 60,000 rows), and one planned from fresh counts but no statistics sorted every due row. JIT
   * is off too: a path these settings refuse still costs 10^10 when it is the only one (the sort
   * of a claim's rows), past the cost at which PostgreSQL compiles the query (290 ms a claim).
   */
  static final String POSTGRES_CLAIM_PLANNER = "SELECT set_config('enable_seqscan', 'off', true), "
      + "set_config('enable_sort', 'off', true), set_config('enable_hashjoin', 'off', true), "
      + "set_config('enable_mergejoin', 'off', true), set_config('jit', 'off', true)";

  private static void bindDue(PreparedStatement p, int index, Instant now, Set<UUID> skip, int limit)
      throws SQLException {
    int i = index;
    Rows.timestamp(p, i++, now);
    Rows.timestamp(p, i++, now);
    for (UUID id : skip) {
      p.setObject(i++, id);
    }
    p.setInt(i, limit);
  }

  boolean recordAttempt(ClaimedDelivery claim, AttemptRecord attempt, DeliveryStatus status,
      Instant nextAttemptAt) {
    return recordAttempts(List.of(new AttemptOutcome(claim, attempt, status, nextAttemptAt)))[0];
  }

  /**
   * Records many outcomes in one transaction: one commit, so one wait for the disk, for all of
   * them, in an order that keeps nodes recording at once from deadlocking. On H2 rows are locked in
   * id order and each subscription is updated once per call, with what the outcomes add up to; on
   * PostgreSQL each outcome is one statement, all sent together ({@link #recordOnPostgres}).
   */
  boolean[] recordAttempts(List<AttemptOutcome> outcomes) {
    requireNonNull(outcomes, "outcomes == null");
    outcomes.forEach(o -> requireNonNull(o, "outcome == null"));
    if (outcomes.isEmpty()) {
      return new boolean[0];
    }
    // Repeatable: after a commit cut off mid-way, the repeat finds the tokens gone and answers false.
    return transactions.runRepeatable("record attempts",
        c -> dialect == SqlDialect.POSTGRESQL ? recordOnPostgres(c, outcomes) : recordOnH2(c, outcomes));
  }

  /**
   * PostgreSQL: each outcome is one statement ({@link #POSTGRES_RECORD_SQL}) that updates the
   * delivery if the claim still holds its lease and adds the attempt; the first statement of each
   * subscription also brings the subscription's health up to date, with what all its outcomes in
   * the call add up to (as {@link #recordOnH2} does: one write per subscription and call). All are
   * sent together in one batch, then committed: two round trips, where locking the rows, adding
   * the attempts, updating the deliveries, updating the subscriptions and the commit took five.
   * The health assumes every lease held; when one did not (rare: a lease ran out, an outcome came
   * twice, or the delivery was deleted), the batch is rolled back and the call recorded as on H2,
   * which reads the rows first. Statements run in the order of the subscriptions' ids (each subscription's outcomes in
   * their given order), so that nodes recording at once take subscriptions' rows in one order.
   */
  private boolean[] recordOnPostgres(Connection c, List<AttemptOutcome> outcomes) throws SQLException {
    Integer[] order = new Integer[outcomes.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    // Stable: a subscription's outcomes keep their order, which its health depends on.
    java.util.Arrays.sort(order, Comparator.comparing(i -> outcomes.get(i).claim().delivery().subscriptionId()));
    Map<UUID, SubscriptionHealth> health = new HashMap<>();
    for (AttemptOutcome o : outcomes) {
      SubscriptionHealth h = health.computeIfAbsent(o.claim().delivery().subscriptionId(), k -> new SubscriptionHealth());
      if (o.status() == DeliveryStatus.DELIVERED) {
        h.delivered(o.attempt().startedAt().plus(o.attempt().duration()));
      } else {
        h.failed(o.attempt().startedAt());
      }
    }
    try (PreparedStatement p = c.prepareStatement(POSTGRES_RECORD_SQL)) {
      UUID previous = null;
      for (int i : order) {
        AttemptOutcome o = outcomes.get(i);
        AttemptRecord attempt = o.attempt();
        UUID subscription = o.claim().delivery().subscriptionId();
        boolean first = !subscription.equals(previous);
        previous = subscription;
        Instant end = attempt.startedAt().plus(attempt.duration());
        String error = attempt.error().map(Rows::error).orElse(null);
        int k = 1;
        p.setString(k++, o.status().wireName());
        p.setString(k++, o.status().wireName());
        p.setString(k++, o.status().wireName());
        Rows.timestamp(p, k++, o.status() == DeliveryStatus.PENDING ? o.nextAttemptAt() : null);
        Rows.timestamp(p, k++, o.status() == DeliveryStatus.DELIVERED ? end : null);
        if (attempt.httpStatus() > 0) {
          p.setInt(k++, attempt.httpStatus());
        } else {
          p.setNull(k++, Types.INTEGER);
        }
        p.setString(k++, error);
        p.setObject(k++, o.claim().delivery().id());
        p.setString(k++, o.claim().leaseToken());
        p.setObject(k++, subscription); // the health below is this subscription's
        SubscriptionHealth h = health.get(subscription);
        k = bindHealth(p, k, h);
        p.setBoolean(k++, h.lastDelivered != null);
        p.setBoolean(k++, first); // the subscription's health goes with its first statement only
        // The attempt.
        Rows.timestamp(p, k++, attempt.startedAt());
        p.setLong(k++, attempt.duration().toMillis());
        p.setInt(k++, attempt.httpStatus());
        p.setString(k++, Rows.cap(attempt.responseExcerpt(), SqlDialect.MAX_TEXT));
        p.setString(k, error);
        p.addBatch();
      }
      int[] counts = p.executeBatch();
      boolean[] kept = new boolean[outcomes.size()];
      boolean all = true;
      for (int j = 0; j < order.length; j++) {
        // One attempt added: the lease held. (A count the driver cannot tell is never a success.)
        kept[order[j]] = counts[j] == 1;
        all &= counts[j] == 1;
      }
      if (all) {
        return kept;
      }
    }
    // A lease was lost (or the delivery deleted): the health written counted its outcome. Start
    // again from the rows.
    c.rollback();
    return recordOnH2(c, outcomes);
  }

  /** Binds {@link #HEALTH_SET}'s six parameters from parameter {@code k} on; returns the next parameter's index. */
  private static int bindHealth(PreparedStatement p, int k, SubscriptionHealth h) throws SQLException {
    boolean delivered = h.lastDelivered != null;
    p.setBoolean(k, delivered);
    Rows.timestamp(p, k + 1, h.failingSince);
    Rows.timestamp(p, k + 2, h.failingSince);
    p.setBoolean(k + 3, delivered);
    Rows.timestamp(p, k + 4, h.lastDelivered);
    Rows.timestamp(p, k + 5, h.lastDelivered);
    return k + 6;
  }

  /** A delivery's row as locked for recording its outcome. */
  private record Locked(String token, int attempts, Instant retryRequested, UUID subscriptionId) {}

  /**
   * H2, and PostgreSQL's exact path ({@link #recordOnPostgres}): the rows still held by the
   * outcomes' leases locked in id order (a row another node has claimed since is left to it), then
   * the attempts, the deliveries and the subscriptions, each a batch.
   */
  private boolean[] recordOnH2(Connection c, List<AttemptOutcome> outcomes) throws SQLException {
    Map<UUID, Locked> locked = new HashMap<>();
    List<UUID> ids = outcomes.stream().map(o -> o.claim().delivery().id()).distinct().sorted().toList();
    List<String> tokens = outcomes.stream().map(o -> o.claim().leaseToken()).distinct().toList();
    try (PreparedStatement p = c.prepareStatement("SELECT id, lease_token, attempt_count, retry_requested_at, "
        + "subscription_id FROM webhook_delivery WHERE id IN (" + "?, ".repeat(ids.size() - 1) + "?) "
        + "AND lease_token IN (" + "?, ".repeat(tokens.size() - 1) + "?) ORDER BY id FOR UPDATE")) {
      for (int i = 0; i < ids.size(); i++) {
        p.setObject(i + 1, ids.get(i));
      }
      for (int i = 0; i < tokens.size(); i++) {
        p.setString(ids.size() + i + 1, tokens.get(i));
      }
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          locked.put(r.getObject(1, UUID.class),
              new Locked(r.getString(2), r.getInt(3), Rows.instant(r, 4), r.getObject(5, UUID.class)));
        }
      }
    }
    boolean[] kept = new boolean[outcomes.size()];
    // What each subscription's outcomes add up to, in the order they were reached.
    Map<UUID, SubscriptionHealth> health = new TreeMap<>();
    try (PreparedStatement insert = c.prepareStatement("INSERT INTO webhook_attempt (delivery_id, attempt_number, "
            + "started_at, duration_ms, http_status, response_excerpt, error) VALUES (?, ?, ?, ?, ?, ?, ?)");
        PreparedStatement update = c.prepareStatement("UPDATE webhook_delivery SET status = ?, attempt_count = ?, "
            + "next_attempt_at = ?, delivered_at = COALESCE(?, delivered_at), "
            + "last_http_status = COALESCE(?, last_http_status), last_error = ?, lease_token = NULL, "
            + "lease_expires_at = NULL, retry_requested_at = NULL, bypass_disabled = FALSE WHERE id = ?")) {
      for (int i = 0; i < outcomes.size(); i++) {
        AttemptOutcome o = outcomes.get(i);
        UUID id = o.claim().delivery().id();
        Locked row = locked.get(id);
        if (row == null || !o.claim().leaseToken().equals(row.token())) {
          continue; // the lease was lost, or the delivery deleted (or recorded earlier in this list)
        }
        kept[i] = true;
        int number = row.attempts() + 1;
        // Recorded: a second outcome for the same claim in this list finds the token gone.
        locked.put(id, new Locked(null, number, null, row.subscriptionId()));
        DeliveryStatus outcome = o.status();
        Instant next = o.status() == DeliveryStatus.PENDING ? o.nextAttemptAt() : null;
        if (row.retryRequested() != null && o.status() != DeliveryStatus.DELIVERED) {
          outcome = DeliveryStatus.PENDING; // a manual retry asked for meanwhile wins
          next = row.retryRequested();
        }
        AttemptRecord attempt = o.attempt();
        Instant end = attempt.startedAt().plus(attempt.duration());
        String error = attempt.error().map(Rows::error).orElse(null);
        insert.setObject(1, id);
        insert.setInt(2, number);
        Rows.timestamp(insert, 3, attempt.startedAt());
        insert.setLong(4, attempt.duration().toMillis());
        insert.setInt(5, attempt.httpStatus());
        insert.setString(6, Rows.cap(attempt.responseExcerpt(), SqlDialect.MAX_TEXT));
        insert.setString(7, error);
        insert.addBatch();
        update.setString(1, outcome.wireName());
        update.setInt(2, number);
        Rows.timestamp(update, 3, next);
        Rows.timestamp(update, 4, outcome == DeliveryStatus.DELIVERED ? end : null);
        if (attempt.httpStatus() > 0) {
          update.setInt(5, attempt.httpStatus());
        } else {
          update.setNull(5, Types.INTEGER);
        }
        update.setString(6, error);
        update.setObject(7, id);
        update.addBatch();
        SubscriptionHealth h = health.computeIfAbsent(row.subscriptionId(), k -> new SubscriptionHealth());
        if (outcome == DeliveryStatus.DELIVERED) {
          h.delivered(end);
        } else {
          h.failed(attempt.startedAt());
        }
      }
      if (health.isEmpty()) {
        return kept;
      }
      insert.executeBatch();
      update.executeBatch();
    }
    // One statement for both kinds of outcome, in one batch: one round trip for every subscription
    // of the call (there was one per subscription, nearly one per delivery), in id order still.
    try (PreparedStatement p = c.prepareStatement(SUBSCRIPTION_HEALTH_SQL)) {
      for (Map.Entry<UUID, SubscriptionHealth> e : health.entrySet()) {
        int k = bindHealth(p, 1, e.getValue());
        p.setObject(k, e.getKey());
        p.setBoolean(k + 1, e.getValue().lastDelivered != null);
        p.addBatch();
      }
      p.executeBatch();
    }
    return kept;
  }

  /**
   * A subscription's health after a call's outcomes ({@link SubscriptionHealth}), to follow
   * {@code UPDATE webhook_subscription}; parameters: whether one was delivered, the failure run's
   * start (twice), whether one was delivered, the last delivery's end (twice). After a success the
   * run is what the call left (none, or the failure after it) and the last delivery moves forward
   * only; after failures alone an earlier run stays. With {@link #HEALTH_WHERE}.
   */
  private static final String HEALTH_SET = " SET "
      + "failing_since = CASE WHEN ? THEN ? ELSE COALESCE(failing_since, ?) END, "
      + "last_delivered_at = CASE WHEN ? AND (last_delivered_at IS NULL OR last_delivered_at < ?) THEN ? "
      + "ELSE last_delivered_at END";

  /**
   * The rows {@link #HEALTH_SET} writes; parameter: whether one was delivered. After failures
   * alone, the row of a subscription already failing is neither written nor locked: recorders on
   * every node would otherwise queue on a dead endpoint's row.
   */
  private static final String HEALTH_WHERE = " AND (? OR failing_since IS NULL)";

  /**
   * A subscription's health on H2 and on PostgreSQL's exact path; parameters {@link #bindHealth}'s
   * six, the id, whether one was delivered.
   */
  static final String SUBSCRIPTION_HEALTH_SQL = "UPDATE webhook_subscription" + HEALTH_SET + " WHERE id = ?"
      + HEALTH_WHERE;

  /**
   * One outcome on PostgreSQL: the delivery's new state if the claim still holds its lease (a
   * manual retry asked for meanwhile wins over any outcome but delivered), its subscription's
   * health when asked ({@link #HEALTH_SET}), and the attempt, numbered after the delivery's earlier
   * ones. Its count is the attempts added: 1, or 0 when the lease was lost (then nothing is
   * written). Parameters: the status (three times), the next attempt's time, the delivery's end
   * when delivered, the HTTP status, the error, the delivery's id, the lease token, the claim's
   * subscription, the health's six ({@link #bindHealth}), whether one was delivered, whether to
   * write the health, then the attempt's start, duration, HTTP status, excerpt and error.
   */
  static final String POSTGRES_RECORD_SQL = "WITH d AS (UPDATE webhook_delivery SET "
      + "status = CASE WHEN retry_requested_at IS NOT NULL AND ? <> 'delivered' THEN 'pending' ELSE ? END, "
      + "attempt_count = attempt_count + 1, "
      + "next_attempt_at = CASE WHEN retry_requested_at IS NOT NULL AND ? <> 'delivered' THEN retry_requested_at "
      + "ELSE ?::timestamptz END, "
      + "delivered_at = COALESCE(?, delivered_at), last_http_status = COALESCE(?, last_http_status), last_error = ?, "
      + "lease_token = NULL, lease_expires_at = NULL, retry_requested_at = NULL, bypass_disabled = FALSE "
      + "WHERE id = ? AND lease_token = ? AND " + Rows.checked("subscription_id")
      + " RETURNING id, attempt_count, subscription_id), "
      + "h AS (UPDATE webhook_subscription" + HEALTH_SET + " WHERE id = (SELECT subscription_id FROM d)"
      + HEALTH_WHERE + " AND ?) "
      + "INSERT INTO webhook_attempt (delivery_id, attempt_number, started_at, duration_ms, http_status, "
      + "response_excerpt, error) SELECT d.id, d.attempt_count, ?, ?, ?, ?, ? FROM d";

  /**
   * A subscription's outcomes in one call, in order: a success clears {@code failing_since} and
   * advances {@code last_delivered_at}; a failure sets {@code failing_since} unless already set
   * (by the row, when no success came first in this call, or by an earlier failure after it).
   */
  private static final class SubscriptionHealth {
    Instant lastDelivered;
    Instant failingSince;

    void delivered(Instant end) {
      lastDelivered = lastDelivered == null || lastDelivered.isBefore(end) ? end : lastDelivered;
      failingSince = null;
    }

    void failed(Instant start) {
      if (failingSince == null) {
        failingSince = start;
      }
    }
  }

  /**
   * Releases {@code claimed}, in one transaction, in one fixed order (Java's UUID order, not
   * PostgreSQL's: two releases never share a row, since each holds its own leases, and a deadlock
   * with another transaction is retried).
   */
  void release(List<ClaimedDelivery> claimed, Instant dueAt) {
    requireNonNull(claimed, "claims == null");
    requireNonNull(dueAt, "dueAt == null");
    if (claimed.isEmpty()) {
      return;
    }
    List<ClaimedDelivery> ordered = new ArrayList<>(claimed);
    for (ClaimedDelivery c : ordered) {
      requireNonNull(c, "a claim is null");
    }
    ordered.sort(Comparator.comparing(c -> c.delivery().id()));
    transactions.runRepeatable("release claims", c -> {
      // A manual retry asked for meanwhile keeps its earlier time.
      try (PreparedStatement p = c.prepareStatement("UPDATE webhook_delivery SET lease_token = NULL, "
          + "lease_expires_at = NULL, status = 'pending', bypass_disabled = FALSE, "
          + "next_attempt_at = CASE WHEN retry_requested_at IS NOT NULL AND retry_requested_at < ? "
          + "THEN retry_requested_at ELSE ? END, retry_requested_at = NULL WHERE id = ? AND lease_token = ?")) {
        for (ClaimedDelivery claim : ordered) {
          Rows.timestamp(p, 1, dueAt);
          Rows.timestamp(p, 2, dueAt);
          p.setObject(3, claim.delivery().id());
          p.setString(4, claim.leaseToken());
          p.addBatch();
        }
        return p.executeBatch().length;
      }
    });
  }
}
