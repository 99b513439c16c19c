package dev.webhooks.core.subscription;

import dev.webhooks.core.internal.Echo;
import static java.util.Objects.requireNonNull;

import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import dev.webhooks.core.event.EventCatalog;
import dev.webhooks.core.event.EventFilterSet;
import dev.webhooks.core.url.UrlPolicy;
import java.net.URI;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Validates and normalises {@link SubscriptionSpec}s against the application's {@link
 * EventCatalog} and {@link UrlPolicy}. Fields are checked in the order {@code url}, {@code
 * events}, {@code description}, {@code headers}, {@code metadata}, and the first error found is
 * thrown as a {@link WebhookValidationException} carrying a stable {@link ErrorCode} and the field
 * at fault, ready for a {@code 400} answer. Messages never repeat header values, metadata values or
 * the URL's query.
 *
 * <table>
 *   <caption>Rules</caption>
 *   <tr><th>field</th><th>rule</th><th>code, field</th></tr>
 *   <tr><td>url</td><td>required</td><td>{@code missing_required_field}, {@code url}</td></tr>
 *   <tr><td>url</td><td>{@link UrlPolicy#check}</td><td>{@code invalid_url}, {@code url}</td></tr>
 *   <tr><td>events</td><td>{@link EventCatalog#filters}</td>
 *       <td>{@code missing_required_field}, {@code events};
 *       {@code invalid_events}, {@code events[i]}</td></tr>
 *   <tr><td>description</td><td>stripped; at most {@value #MAX_DESCRIPTION} code points, no
 *       control characters</td><td>{@code invalid_description}, {@code description}</td></tr>
 *   <tr><td>headers</td><td>at most {@value #MAX_HEADERS}; names are RFC 9110 tokens of at most
 *       64 characters</td><td>{@code invalid_headers}, {@code headers}</td></tr>
 *   <tr><td>headers</td><td>not reserved, not repeated in another case; values of at most
 *       {@value #MAX_HEADER_VALUE} visible ASCII characters, spaces and tabs</td>
 *       <td>{@code invalid_headers}, {@code headers.<Name>}</td></tr>
 *   <tr><td>metadata</td><td>at most {@value #MAX_METADATA}; keys of 1 to
 *       {@value #MAX_METADATA_KEY} characters of {@code [A-Za-z0-9_.:-]}</td>
 *       <td>{@code invalid_metadata}, {@code metadata}</td></tr>
 *   <tr><td>metadata</td><td>values non-null, at most {@value #MAX_METADATA_VALUE}
 *       characters</td><td>{@code invalid_metadata}, {@code metadata.<key>}</td></tr>
 * </table>
 *
 * <p>Reserved header names (case-insensitive) are those the HTTP layer or a signature scheme
 * owns: {@code Host}, {@code Content-Type}, {@code Content-Length}, {@code Content-Encoding},
 * {@code Transfer-Encoding}, {@code Connection}, {@code Keep-Alive}, {@code Upgrade}, {@code TE},
 * {@code Trailer}, {@code Expect}, {@code User-Agent}, every {@code Proxy-*}, {@code Webhook-*}
 * and {@code Svix-*} name, {@code X-Signature}, {@code Stripe-Signature}, {@code X-Hub-Signature},
 * {@code X-Hub-Signature-256}, and the names given to the constructor. {@code Authorization} and
 * other application headers are allowed: receivers commonly want them.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * <pre>{@code
 * EventCatalog catalog = EventCatalog.builder()
 *     .event("lookup.completed", "An email lookup finished.", null)
 *     .event("apikey.created", "An API key was created.", null)
 *     .event("survey.response.created", "A survey response was submitted.", null)
 *     .build();
 * SubscriptionValidator validator = new SubscriptionValidator(catalog, UrlPolicy.strict());
 *
 * SubscriptionSpec spec = SubscriptionSpec.builder()
 *     .url("https://Example.com/webhook")
 *     .events("lookup.completed", "apikey.created", "survey.*")
 *     .description("  Production webhook ")
 *     .header("Authorization", "Bearer s3cr3t-token")
 *     .build();
 * ValidatedSubscription v = validator.validate(spec);
 * v.url();          // https://example.com/webhook
 * v.description();  // "Production webhook"
 *
 * validator.validate(spec.toBuilder().events("lookup.complete").build());
 * // throws WebhookValidationException: invalid_events, field events[0]
 * }</pre>
 */
public final class SubscriptionValidator {
  /** The longest description, in code points after stripping. */
  public static final int MAX_DESCRIPTION = 200;
  /** The most custom headers per subscription. */
  public static final int MAX_HEADERS = 20;
  /** The longest custom header value, in characters. */
  public static final int MAX_HEADER_VALUE = 1024;
  /** The most metadata entries per subscription. */
  public static final int MAX_METADATA = 50;
  /** The longest metadata key, in characters. */
  public static final int MAX_METADATA_KEY = 64;
  /** The longest metadata value, in characters ({@code char}s). */
  public static final int MAX_METADATA_VALUE = 512;
  /** The longest tenant id, in characters. */
  public static final int MAX_TENANT_ID = 128;

  private final EventCatalog catalog;
  private final UrlPolicy urlPolicy;
  private final HeaderRules headerRules;

  /**
   * A validator with the built-in reserved headers only.
   *
   * @param catalog the event types subscriptions may name
   * @param urlPolicy the rules for endpoint URLs, e.g. {@link UrlPolicy#strict()}
   * @throws NullPointerException if an argument is null
   */
  public SubscriptionValidator(EventCatalog catalog, UrlPolicy urlPolicy) {
    this(catalog, urlPolicy, Set.of());
  }

  /**
   * A validator that also refuses {@code reservedHeaders} as custom headers.
   *
   * <pre>{@code
   * new SubscriptionValidator(catalog, UrlPolicy.strict(), Set.of("X-Acme-Signature"));
   * }</pre>
   *
   * @param catalog the event types subscriptions may name
   * @param urlPolicy the rules for endpoint URLs, e.g. {@link UrlPolicy#strict()}
   * @param reservedHeaders extra header names the sender sets itself (compared case-insensitively),
   *     e.g. its signature scheme's headers; may be empty
   * @throws NullPointerException if an argument or one of the names is null
   * @throws IllegalArgumentException if a name is not a valid HTTP header name
   */
  public SubscriptionValidator(
      EventCatalog catalog, UrlPolicy urlPolicy, Set<String> reservedHeaders) {
    this.catalog = requireNonNull(catalog, "catalog == null");
    this.urlPolicy = requireNonNull(urlPolicy, "urlPolicy == null");
    requireNonNull(reservedHeaders, "reservedHeaders == null");
    Set<String> lower = new HashSet<>();
    for (String name : reservedHeaders) {
      requireNonNull(name, "reservedHeaders contains null");
      if (!HeaderRules.isToken(name)) {
        throw new IllegalArgumentException(
            "reserved header " + Echo.describe(name) + " is not a valid HTTP header name");
      }
      lower.add(name.toLowerCase(Locale.ROOT));
    }
    this.headerRules = new HeaderRules(Set.copyOf(lower));
  }

  /**
   * Checks {@code spec} and returns its normalised form: the URL as normalised by the URL policy,
   * the filters as normalised by the catalog ({@code ["lookup.completed", "*"]} becomes {@code
   * ["*"]}), the description stripped of surrounding whitespace ({@code ""} when absent), and the
   * headers and metadata as given, in order.
   *
   * @throws WebhookValidationException for the first error found, in the order {@code url}, {@code
   *     events}, {@code description}, {@code headers}, {@code metadata}, with the code and field of
   *     the class table: {@link ErrorCode#MISSING_REQUIRED_FIELD} ({@code url}, {@code events}),
   *     {@link ErrorCode#INVALID_URL}, {@link ErrorCode#INVALID_EVENTS}, {@link
   *     ErrorCode#INVALID_DESCRIPTION}, {@link ErrorCode#INVALID_HEADERS} or {@link
   *     ErrorCode#INVALID_METADATA}
   * @throws NullPointerException if {@code spec} is null
   */
  public ValidatedSubscription validate(SubscriptionSpec spec) {
    requireNonNull(spec, "spec == null");
    URI url = checkUrl(spec.url());
    EventFilterSet filters = catalog.filters(spec.events());
    String description = checkDescription(spec.description().orElse(null));
    headerRules.check(spec.headers());
    checkMetadata(spec.metadata());
    return new ValidatedSubscription(
        url, filters, description, spec.enabled(), spec.headers(), spec.metadata());
  }

  private URI checkUrl(String url) {
    if (url == null || url.isBlank()) {
      throw new WebhookValidationException(
          ErrorCode.MISSING_REQUIRED_FIELD, "url", "url is required");
    }
    return urlPolicy.check(url);
  }

  private static String checkDescription(String description) {
    if (description == null) {
      return "";
    }
    String stripped = description.strip();
    int length = stripped.codePointCount(0, stripped.length());
    if (length > MAX_DESCRIPTION) {
      throw invalidDescription(
          "description is " + length + " characters long; the maximum is " + MAX_DESCRIPTION);
    }
    for (int i = 0; i < stripped.length(); ) {
      int c = stripped.codePointAt(i);
      if (Character.isISOControl(c)) {
        throw invalidDescription("description contains " + Inputs.describeChar(c)
            + " at index " + i + "; control characters are not allowed");
      }
      i += Character.charCount(c);
    }
    return stripped;
  }

  private static WebhookValidationException invalidDescription(String message) {
    return new WebhookValidationException(ErrorCode.INVALID_DESCRIPTION, "description", message);
  }

  private static void checkMetadata(Map<String, String> metadata) {
    if (metadata.size() > MAX_METADATA) {
      throw invalidMetadata("metadata",
          "at most " + MAX_METADATA + " metadata entries are allowed, got " + metadata.size());
    }
    for (Map.Entry<String, String> entry : metadata.entrySet()) {
      String key = entry.getKey();
      if (key == null) {
        throw invalidMetadata("metadata", "a metadata key is null");
      }
      if (key.isEmpty() || key.length() > MAX_METADATA_KEY || !isMetadataKey(key)) {
        throw invalidMetadata("metadata", "metadata key " + Echo.describe(key)
            + " must be 1 to " + MAX_METADATA_KEY
            + " characters of letters, digits, '_', '.', ':' and '-'");
      }
      String value = entry.getValue();
      String field = "metadata." + key;
      if (value == null) {
        throw invalidMetadata(field, "the value of metadata key " + Echo.describe(key)
            + " is null");
      }
      if (value.length() > MAX_METADATA_VALUE) {
        throw invalidMetadata(field, "the value of metadata key " + Echo.describe(key)
            + " is " + value.length() + " characters long; the maximum is " + MAX_METADATA_VALUE);
      }
    }
  }

  private static boolean isMetadataKey(String key) {
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '.' || c == ':' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static WebhookValidationException invalidMetadata(String field, String message) {
    return new WebhookValidationException(ErrorCode.INVALID_METADATA, field, message);
  }

  /**
   * Checks a tenant id, as given by the application's authentication hook, and returns it
   * unchanged.
   *
   * <pre>{@code
   * String tenant = SubscriptionValidator.requireTenantId("tenant_42");  // "tenant_42"
   * SubscriptionValidator.requireTenantId("acme corp");  // throws: invalid_tenant
   * }</pre>
   *
   * @param tenantId 1 to {@value #MAX_TENANT_ID} ASCII characters without whitespace or control
   *     characters
   * @return {@code tenantId}
   * @throws WebhookValidationException with {@link ErrorCode#MISSING_REQUIRED_FIELD} and field
   *     {@code "tenant_id"} when it is null or blank; with {@link ErrorCode#INVALID_TENANT} and
   *     field {@code "tenant_id"} when it is longer than {@value #MAX_TENANT_ID} characters or
   *     holds whitespace, a control character or a non-ASCII character
   */
  public static String requireTenantId(String tenantId) {
    if (tenantId == null || tenantId.isBlank()) {
      throw new WebhookValidationException(
          ErrorCode.MISSING_REQUIRED_FIELD, "tenant_id", "tenant id is required");
    }
    if (tenantId.length() > MAX_TENANT_ID) {
      throw invalidTenant("tenant id is " + tenantId.length()
          + " characters long; the maximum is " + MAX_TENANT_ID);
    }
    for (int i = 0; i < tenantId.length(); i++) {
      char c = tenantId.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw invalidTenant("tenant id " + Echo.describe(tenantId) + " contains "
            + (c == ' ' ? "a space" : Inputs.describeChar(tenantId.codePointAt(i)))
            + " at index " + i + "; use printable ASCII without whitespace");
      }
    }
    return tenantId;
  }

  private static WebhookValidationException invalidTenant(String message) {
    return new WebhookValidationException(ErrorCode.INVALID_TENANT, "tenant_id", message);
  }

  /** The catalog's type names and the URL policy's summary. */
  @Override
  public String toString() {
    return "SubscriptionValidator{catalog=" + catalog + ", urlPolicy=" + urlPolicy + '}';
  }
}
