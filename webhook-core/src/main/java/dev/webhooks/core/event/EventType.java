package dev.webhooks.core.event;

import dev.webhooks.core.internal.Echo;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;

/**
 * One kind of event an application emits, as declared in its {@link EventCatalog}: a name such as
 * {@code lookup.completed}, a description for integrators, an example payload (the {@code data} of
 * test events) and a {@link EventTypeState state}.
 *
 * <p>Instances are immutable and thread-safe; they are created by {@link EventCatalog.Builder}.
 *
 * <pre>{@code
 * EventType type = catalog.find("survey.response.created").orElseThrow();
 * type.description();      // "A survey response was submitted."
 * type.examplePayload();   // a fresh copy, safe to modify
 * }</pre>
 *
 * <h2>Names</h2>
 *
 * A name is one or more dot-separated segments, each a non-empty run of {@code [a-z0-9_]}, at
 * most {@value #MAX_NAME_LENGTH} characters in all: {@code lookup.completed}, {@code
 * survey.response.created}, {@code proof_pack.sealed}. Uppercase, hyphens, spaces, wildcards and
 * non-ASCII letters are refused, so that a name is also a safe path segment, metric tag and SQL
 * value.
 */
public final class EventType {
  /** The longest name accepted, in characters. */
  public static final int MAX_NAME_LENGTH = 128;

  private final String name;
  private final String description;
  private final JsonNode examplePayload;
  private final EventTypeState state;

  EventType(String name, String description, JsonNode examplePayload, EventTypeState state) {
    this.name = requireValidName(name);
    this.description = requireNonNull(description, "description == null");
    this.examplePayload =
        examplePayload == null ? JsonNodeFactory.instance.objectNode() : examplePayload.deepCopy();
    this.state = requireNonNull(state, "state == null");
  }

  /** The name, e.g. {@code "lookup.completed"}; always {@linkplain #isValidName valid}. */
  public String name() {
    return name;
  }

  /** The description given at declaration, possibly empty; never {@code null}. */
  public String description() {
    return description;
  }

  /**
   * A deep copy of the example payload (the {@code data} of a test event): changing it never
   * changes this type. An empty object when none was declared.
   */
  public JsonNode examplePayload() {
    return examplePayload.deepCopy();
  }

  /** {@link EventTypeState#ACTIVE}, or {@code DECLARED} for a type not emitted yet. */
  public EventTypeState state() {
    return state;
  }

  /**
   * Whether {@code name} is a valid event type name (see the class description); {@code false}
   * for {@code null}.
   *
   * <pre>{@code
   * EventType.isValidName("survey.response.created");  // true
   * EventType.isValidName("Survey.created");           // false: uppercase
   * EventType.isValidName("survey..created");          // false: empty segment
   * EventType.isValidName("survey.*");                 // false: that is a filter, not a name
   * }</pre>
   */
  public static boolean isValidName(String name) {
    return problem(name) == null;
  }

  /**
   * Returns {@code name} if it is {@linkplain #isValidName valid}.
   *
   * @throws WebhookValidationException with {@link ErrorCode#INVALID_EVENTS} and field {@code
   *     "type"} when the name is malformed; the message says why, and quotes the name only when
   *     it is short and printable. With {@link ErrorCode#MISSING_REQUIRED_FIELD} when it is
   *     {@code null}.
   */
  public static String requireValidName(String name) {
    if (name == null) {
      throw new WebhookValidationException(
          ErrorCode.MISSING_REQUIRED_FIELD, "type", "an event type is required");
    }
    String problem = problem(name);
    if (problem != null) {
      throw new WebhookValidationException(
          ErrorCode.INVALID_EVENTS,
          "type",
          "event type " + Echo.describe(name) + " is not a valid name: " + problem);
    }
    return name;
  }

  /** Why {@code name} is not a valid name, or {@code null} if it is one. */
  static String problem(String name) {
    if (name == null) {
      return "it is null";
    }
    int length = name.length();
    if (length == 0) {
      return "it is empty";
    }
    if (length > MAX_NAME_LENGTH) {
      return "it is longer than " + MAX_NAME_LENGTH + " characters";
    }
    int segmentStart = 0;
    for (int i = 0; i < length; i++) {
      char c = name.charAt(i);
      if (c == '.') {
        if (i == segmentStart) {
          return "empty segment at index " + i + " (segments are separated by single dots)";
        }
        segmentStart = i + 1;
      } else if (!isNameChar(c)) {
        return describeBadChar(c) + " at index " + i + " (allowed: a-z, 0-9, _ and dots)";
      }
    }
    if (segmentStart == length) {
      return "empty last segment (a name may not end with a dot)";
    }
    return null;
  }

  static boolean isNameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  }

  private static String describeBadChar(char c) {
    if (c >= 'A' && c <= 'Z') {
      return "uppercase letter '" + c + "'";
    }
    if (c == '*') {
      return "wildcard '*'";
    }
    if (c > 0x20 && c < 0x7f) {
      return "character '" + c + "'";
    }
    return String.format("character U+%04X", (int) c);
  }

  /** {@code EventType{name=lookup.completed, state=ACTIVE}}; never the payload. */
  @Override
  public String toString() {
    return "EventType{name=" + name + ", state=" + state + '}';
  }
}
