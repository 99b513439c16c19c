package dev.webhooks.sender.store.jdbc;

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
import dev.webhooks.sender.Page;
import dev.webhooks.sender.PageRequest;
import dev.webhooks.sender.store.DeliveryRecord;
import dev.webhooks.sender.store.DeliveryStatus;
import dev.webhooks.sender.store.SigningSecret;
import dev.webhooks.sender.store.StoredSubscription;
import java.net.URI;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The store's rows and the values in them: column lists, reading records from result sets,
 * binding them to statements, the JSON columns (filters, headers, metadata, secrets, the latter
 * sealed by {@link SecretsAtRest}) and timestamps, kept to the microsecond in UTC.
 */
final class Rows {
  static final String SUB_COLUMNS = "s.id, s.tenant_id, s.url, s.description, s.enabled, s.disabled_reason, "
      + "s.filters, s.headers, s.metadata, s.secrets, s.created_at, s.updated_at, s.secret_last_rotated_at, "
      + "s.last_delivered_at, s.failing_since, s.version";
  static final String DELIVERY_COLUMNS = "d.id, d.tenant_id, d.subscription_id, d.event_id, d.event_type, "
      + "d.status, d.attempt_count, d.created_at, d.next_attempt_at, d.delivered_at, d.last_http_status, d.last_error";
  static final int DELIVERY_COLUMN_COUNT = 12;
  /** The column of the payload after the delivery and subscription columns of a claim. */
  static final int CLAIM_PAYLOAD_COLUMN = DELIVERY_COLUMN_COUNT + 17;
  private static final TypeReference<LinkedHashMap<String, String>> STRING_MAP = new TypeReference<>() {};
  private static final int MAX_ERROR = 500;

  /**
   * {@code column = ?} as a check on a row found by its primary key (the tenant of a subscription
   * or delivery found by id, the subscription of a claimed delivery), written so that no index can
   * serve it. A plain {@code tenant_id = ? AND id = ?} ties, on a table PostgreSQL has never
   * analysed (a new deployment, or autovacuum off), between the primary key and an index that
   * starts with the checked column, and the planner took the latter. A statement that pgjdbc has
   * prepared on the server gets a generic plan after a few runs, which the connection keeps until
   * the table is next analysed: from then on each run read every row of the tenant or subscription.
   * A sustained load's outcomes read 129 index entries each in the first 10 s and 2,652 after
   * 170 s, and its deliveries fell from 1,000/s to 270/s. {@code IS TRUE} changes nothing for a row
   * (a NULL never equals) but is no index condition, so that the primary key is the only path.
   */
  static String checked(String column) {
    return "(" + column + " = ?) IS TRUE";
  }

  private final SecretsAtRest secrets;

  Rows(SecretsAtRest secrets) {
    this.secrets = secrets;
  }

  /** Binds url … secrets (8 parameters) from {@code index}; returns the next index. */
  int bindSubscription(PreparedStatement p, int index, Subscription s, List<SigningSecret> keys)
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

  static String kind(EventFilter.Kind kind) {
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

  StoredSubscription subscription(ResultSet r, int at) throws SQLException {
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

  static DeliveryRecord delivery(ResultSet r, int at) throws SQLException {
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

  static <T> Page<T> page(List<T> items, PageRequest page) {
    boolean more = items.size() > page.perPage();
    return new Page<>(more ? items.subList(0, page.perPage()) : items, page, more);
  }

  static OffsetDateTime utc(Instant i) {
    return OffsetDateTime.ofInstant(i.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
  }

  static void timestamp(PreparedStatement p, int index, Instant value) throws SQLException {
    if (value == null) {
      p.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      p.setObject(index, utc(value));
    }
  }

  static Instant instant(ResultSet r, int index) throws SQLException {
    OffsetDateTime t = r.getObject(index, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  static String cap(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

  static WebhookValidationException notFound(String what) {
    return new WebhookValidationException(ErrorCode.NOT_FOUND, null, what + " not found");
  }

  /** An attempt's error as the column holds it. */
  static String error(String error) {
    return cap(error, MAX_ERROR);
  }
}
