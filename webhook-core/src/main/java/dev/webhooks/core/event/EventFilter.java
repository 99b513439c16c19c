package dev.webhooks.core.event;

import dev.webhooks.core.internal.Echo;
import static java.util.Objects.requireNonNull;

import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;

/**
 * One subscription filter, in one of three forms:
 *
 * <ul>
 *   <li>{@code *}: every event type, present and future ({@link Kind#ALL});
 *   <li>an exact name such as {@code lookup.completed} ({@link Kind#EXACT});
 *   <li>a prefix wildcard such as {@code survey.*} ({@link Kind#PREFIX}), which matches every type
 *       with at least one more segment: {@code survey.x} and {@code survey.response.created}, but
 *       neither {@code survey} nor {@code surveys.x}.
 * </ul>
 *
 * <p>A wildcard is only ever a whole last segment: {@code survey*}, {@code *.created} and {@code
 * a.*.b} are refused. Parsing checks the syntax only; {@link EventCatalog#filters} also checks
 * that a filter names types of the catalog.
 *
 * <p>Instances are immutable values: {@code equals}, {@code hashCode} and {@code toString} use the
 * wire form.
 *
 * <pre>{@code
 * EventFilter f = EventFilter.parse("survey.*");
 * f.kind();                                // PREFIX
 * f.value();                               // "survey"
 * f.matches("survey.response.created");    // true
 * f.matches("surveys.created");            // false
 * }</pre>
 */
public final class EventFilter {
  /** The longest filter accepted, in characters, as for a name. */
  static final int MAX_LENGTH = EventType.MAX_NAME_LENGTH;

  /** {@code *}: every event type, present and future. */
  public static final EventFilter ALL = new EventFilter(Kind.ALL, "*");

  /** The three forms of a filter. */
  public enum Kind {
    /** {@code *}: every type. */
    ALL,
    /** One type, by its exact name. */
    EXACT,
    /** Every type below a prefix: {@code survey.*}. */
    PREFIX
  }

  private final Kind kind;
  private final String value;
  private final String wireForm;

  private EventFilter(Kind kind, String value) {
    this.kind = kind;
    this.value = value;
    this.wireForm = kind == Kind.PREFIX ? value + ".*" : value;
  }

  /**
   * Parses the wire form of a filter: {@code "*"}, {@code "lookup.completed"}, {@code "survey.*"}
   * or {@code "survey.response.*"}. The text is taken as is: no trimming, no case folding.
   *
   * @throws WebhookValidationException with {@link ErrorCode#INVALID_EVENTS} and field {@code
   *     "events"} when {@code text} is {@code null}, longer than 128 characters, has a misplaced
   *     wildcard ({@code "survey*"}, {@code "*.created"}, {@code "a.*.b"}), or is not otherwise a
   *     {@linkplain EventType#isValidName valid name}, e.g. {@code ""} or {@code "SURVEY.*"}
   */
  public static EventFilter parse(String text) {
    return parse(text, "events");
  }

  /** {@link #parse(String)}, blaming {@code field} (e.g. {@code "events[2]"}) on failure. */
  static EventFilter parse(String text, String field) {
    if (text == null) {
      throw invalid(field, "an event filter is null");
    }
    if (text.equals("*")) {
      return ALL;
    }
    if (text.length() > MAX_LENGTH) {
      throw invalid(
          field,
          "event filter " + Echo.describe(text) + " is longer than " + MAX_LENGTH
              + " characters");
    }
    boolean prefix = text.endsWith(".*");
    String name = prefix ? text.substring(0, text.length() - 2) : text;
    if (name.indexOf('*') >= 0) {
      throw invalid(
          field,
          "event filter "
              + Echo.describe(text)
              + " has a misplaced wildcard: use \"*\" alone or as the whole last segment, as in"
              + " \"survey.*\"");
    }
    String problem = EventType.problem(name);
    if (problem != null) {
      throw invalid(
          field,
          "event filter " + Echo.describe(text) + " is not a valid event type name: " + problem);
    }
    return new EventFilter(prefix ? Kind.PREFIX : Kind.EXACT, name);
  }

  private static WebhookValidationException invalid(String field, String message) {
    return new WebhookValidationException(ErrorCode.INVALID_EVENTS, field, message);
  }

  /** {@link Kind#ALL}, {@link Kind#EXACT} or {@link Kind#PREFIX}. */
  public Kind kind() {
    return kind;
  }

  /**
   * The exact name ({@code "lookup.completed"}), the prefix without its {@code ".*"} ({@code
   * "survey"} for {@code survey.*}), or {@code "*"}.
   */
  public String value() {
    return value;
  }

  /**
   * Whether an event of type {@code eventType} is selected by this filter. The type is compared as
   * is, not validated: {@link #ALL} matches any string.
   *
   * @throws NullPointerException if {@code eventType} is null
   */
  public boolean matches(String eventType) {
    requireNonNull(eventType, "eventType == null");
    switch (kind) {
      case ALL:
        return true;
      case EXACT:
        return value.equals(eventType);
      case PREFIX:
        return eventType.length() > value.length() + 1
            && eventType.startsWith(value)
            && eventType.charAt(value.length()) == '.';
      default:
        throw new AssertionError(kind);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof EventFilter && ((EventFilter) other).wireForm.equals(wireForm);
  }

  @Override
  public int hashCode() {
    return wireForm.hashCode();
  }

  /** The wire form: {@code "*"}, {@code "lookup.completed"} or {@code "survey.*"}. */
  @Override
  public String toString() {
    return wireForm;
  }
}
