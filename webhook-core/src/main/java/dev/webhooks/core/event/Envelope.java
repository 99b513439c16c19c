package dev.webhooks.core.event;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import dev.webhooks.core.internal.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * The JSON body of every delivery: {@code {"id", "type", "timestamp", "data"}}, plus
 * {@code "test": true} on test events. The id is stable across retries; it is what receivers
 * de-duplicate on. Immutable (the {@code data} node is copied in and out).
 *
 * <pre>{@code
 * Envelope e = Envelope.of(Envelope.newId(clock), "lookup.completed", clock.instant(), data);
 * byte[] body = e.toJson();
 * // {"id":"msg_01JD…","type":"lookup.completed","timestamp":"2026-05-02T12:00:00.123Z","data":{…}}
 * }</pre>
 */
public final class Envelope {
  private static final String ID_PREFIX = "msg_";
  private static final char[] CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String id;
  private final String type;
  private final Instant timestamp;
  private final JsonNode data;
  private final boolean test;

  private Envelope(String id, String type, Instant timestamp, JsonNode data, boolean test) {
    this.id = id;
    this.type = type;
    this.timestamp = timestamp;
    this.data = data;
    this.test = test;
  }

  /**
   * An envelope; the timestamp is kept to the millisecond.
   *
   * @throws WebhookValidationException {@code INVALID_EVENTS} when {@code type} is not a valid name
   */
  public static Envelope of(String id, String type, Instant timestamp, JsonNode data) {
    requireNonNull(data, "data == null");
    return checked(id, type, timestamp, data.deepCopy());
  }

  /**
   * The JSON bytes of {@code of(id, type, timestamp, data).toJson()}, written at once: the payload
   * is neither copied nor kept, as a publisher that only needs the bytes wants.
   *
   * <pre>{@code
   * byte[] body = Envelope.json(Envelope.newId(clock), "order.paid", clock.instant(), data);
   * }</pre>
   *
   * @throws WebhookValidationException {@code INVALID_EVENTS} when {@code type} is not a valid name
   */
  public static byte[] json(String id, String type, Instant timestamp, JsonNode data) {
    requireNonNull(data, "data == null");
    return checked(id, type, timestamp, data).toJson();
  }

  private static Envelope checked(String id, String type, Instant timestamp, JsonNode data) {
    requireNonNull(id, "id == null");
    requireNonNull(timestamp, "timestamp == null");
    if (id.isEmpty()) {
      throw new IllegalArgumentException("id is empty");
    }
    return new Envelope(id, EventType.requireValidName(type), timestamp.truncatedTo(ChronoUnit.MILLIS), data, false);
  }

  /** This envelope marked {@code "test": true}, as test events are. */
  public Envelope asTest() {
    return new Envelope(id, type, timestamp, data, true);
  }

  /**
   * A new message id: {@code msg_} and 26 Crockford base32 characters, 48 bits of milliseconds then
   * 80 random bits, so ids sort by creation time (the ULID layout).
   */
  public static String newId(Clock clock) {
    long millis = clock.millis();
    byte[] random = new byte[10];
    RANDOM.nextBytes(random);
    char[] out = new char[26];
    // 10 characters of time (50 bits, top 2 zero), then 16 characters of randomness (80 bits).
    for (int i = 9; i >= 0; i--) {
      out[i] = CROCKFORD[(int) (millis & 31)];
      millis >>>= 5;
    }
    long hi = 0;
    for (int i = 0; i < 5; i++) {
      hi = (hi << 8) | (random[i] & 0xff);
    }
    long lo = 0;
    for (int i = 5; i < 10; i++) {
      lo = (lo << 8) | (random[i] & 0xff);
    }
    for (int i = 17; i >= 10; i--) {
      out[i] = CROCKFORD[(int) (hi & 31)];
      hi >>>= 5;
    }
    for (int i = 25; i >= 18; i--) {
      out[i] = CROCKFORD[(int) (lo & 31)];
      lo >>>= 5;
    }
    return ID_PREFIX + new String(out);
  }

  /**
   * Reads an envelope from its JSON form.
   *
   * @throws WebhookValidationException {@link ErrorCode#INVALID_JSON} when the bytes are not JSON
   *     or lack {@code id}, {@code type}, {@code timestamp} (ISO 8601) or {@code data}
   */
  public static Envelope parse(byte[] json) {
    requireNonNull(json, "json == null");
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw invalid(null, "body is not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw invalid(null, "envelope must be a JSON object");
    }
    String id = text(root, "id");
    String type = text(root, "type");
    Instant timestamp;
    try {
      timestamp = Instant.parse(text(root, "timestamp"));
    } catch (DateTimeParseException e) {
      throw invalid("timestamp", "timestamp is not an ISO 8601 instant");
    }
    JsonNode data = root.get("data");
    if (data == null) {
      throw invalid("data", "envelope has no data");
    }
    Envelope e = of(id, type, timestamp, data);
    return root.path("test").asBoolean(false) ? e.asTest() : e;
  }

  private static String text(JsonNode root, String field) {
    JsonNode n = root.get(field);
    if (n == null || !n.isTextual() || n.asText().isEmpty()) {
      throw invalid(field, "envelope field " + field + " must be a non-empty string");
    }
    return n.asText();
  }

  private static WebhookValidationException invalid(String field, String message) {
    return new WebhookValidationException(ErrorCode.INVALID_JSON, field, message);
  }

  /** The JSON bytes, fields in the order id, type, timestamp, data, test. */
  public byte[] toJson() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("id", id);
      g.writeStringField("type", type);
      g.writeStringField("timestamp", timestamp.toString());
      g.writeFieldName("data");
      Json.MAPPER.writeTree(g, data);
      if (test) {
        g.writeBooleanField("test", true);
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to memory does not fail
    }
    return out.toByteArray();
  }

  public String id() {
    return id;
  }

  public String type() {
    return type;
  }

  public Instant timestamp() {
    return timestamp;
  }

  /** A copy of the payload. */
  public JsonNode data() {
    return data.deepCopy();
  }

  /** {@code true} for test events. */
  public boolean isTest() {
    return test;
  }

  /** Id, type and time only: the payload may be sensitive. */
  @Override
  public String toString() {
    return "Envelope[id=" + id + ", type=" + type + ", timestamp=" + timestamp + (test ? ", test" : "") + "]";
  }
}
