package dev.webhooks.sender.rest;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookException;
import dev.webhooks.core.WebhookValidationException;
import dev.webhooks.core.subscription.Subscription;
import dev.webhooks.core.subscription.SubscriptionPatch;
import dev.webhooks.core.subscription.SubscriptionSpec;
import dev.webhooks.sender.CreatedSubscription;
import dev.webhooks.sender.DeliveryQuery;
import dev.webhooks.sender.PageRequest;
import dev.webhooks.sender.PublishResult;
import dev.webhooks.sender.SubscriptionService;
import dev.webhooks.sender.WebhookSender;
import dev.webhooks.sender.store.DeliveryRecord;
import dev.webhooks.sender.store.DeliveryStatus;
import dev.webhooks.sender.store.WebhookStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management REST API of the products in the seeds, over a {@link WebhookSender}: a handler
 * from {@link ApiRequest} to {@link ApiResponse}, with no web framework. Mount it on the JDK's
 * HTTP server with {@link WebhooksApiHttpHandler}, or call {@link #handle} from any server.
 * Thread-safe.
 *
 * <pre>{@code
 * WebhooksApi api = WebhooksApi.builder(sender)
 *     .authenticator(request -> myAuth.callerOf(request))   // tenant and permissions, or ApiException
 *     .build();
 * HttpServer server = HttpServer.create(new InetSocketAddress(8080), 0);
 * WebhooksApiHttpHandler.mount(server, api);                 // /webhooks… and /event-types
 * server.start();
 * }</pre>
 *
 * <p>Routes, under the base path (default {@code /webhooks}): {@code GET /webhooks} (paged with
 * {@code page} and {@code per_page}), {@code POST /webhooks} (201; the secret is in this answer
 * only), {@code GET|PUT|PATCH|DELETE /webhooks/{id}}, {@code POST /webhooks/{id}/rotate-secret}
 * (optional {@code {"grace_period_seconds": n}}, up to 30 days), {@code POST /webhooks/{id}/test}
 * ({@code {"event": "…"}}; 202), {@code GET /webhooks/{id}/deliveries} ({@code from}, {@code to},
 * {@code status}, {@code event}, {@code page}, {@code per_page}), {@code GET
 * /webhooks/{id}/deliveries/{delivery_id}} (with its attempts), {@code POST
 * /webhooks/{id}/deliveries/{delivery_id}/retry} (202), and {@code GET /event-types}. The
 * OpenAPI 3 document, {@link #openApiDocument()}, describes each.
 *
 * <p>Errors are {@code {"error": {"code", "message", "field"}}}: 400 {@code
 * missing_required_field}, {@code invalid_url}, {@code invalid_events}, {@code
 * invalid_description}, {@code invalid_headers}, {@code invalid_metadata}, {@code invalid_json}
 * (malformed JSON, a field of the wrong type, or an unknown field: unknown fields are refused, not
 * ignored, so that a misspelt field never passes silently) and {@code invalid_parameter} (a bad
 * query parameter); 401 {@code invalid_key}; 403 {@code insufficient_permissions}; 404 {@code
 * not_found} (also for a malformed id, and for another tenant's webhook or delivery); 405 {@code
 * method_not_allowed} with {@code Allow}; 409 {@code duplicate_webhook}; 413 {@code
 * payload_too_large}; 415 {@code unsupported_media_type}; 429 {@code rate_limited} with {@code
 * Retry-After}; 503 {@code unavailable} when the store cannot be reached. A refused request changes
 * nothing.
 */
public final class WebhooksApi {
  private static final Logger log = LoggerFactory.getLogger(WebhooksApi.class);
  /** The default base path of the webhook routes. */
  public static final String DEFAULT_BASE_PATH = "/webhooks";
  /** The default path of the event type catalog. */
  public static final String DEFAULT_EVENT_TYPES_PATH = "/event-types";
  /** The default cap on a request body. */
  public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;
  private static final Set<String> SPEC_FIELDS = Set.of("url", "events", "description", "enabled", "headers",
      "metadata");

  private final WebhookSender sender;
  private final ApiAuthenticator authenticator;
  private final String basePath;
  private final String eventTypesPath;
  private final int maxBodyBytes;
  private final TenantRateLimiter limiter;
  private final Router router;

  private WebhooksApi(Builder b) {
    this.sender = b.sender;
    this.authenticator = b.authenticator;
    this.basePath = b.basePath;
    this.eventTypesPath = b.eventTypesPath;
    this.maxBodyBytes = b.maxBodyBytes;
    this.limiter = b.ratePerSecond > 0 ? new TenantRateLimiter(b.ratePerSecond, b.burst, b.clock) : null;
    String one = basePath + "/{id}";
    String deliveries = one + "/deliveries";
    this.router = new Router()
        .add("GET", basePath, ApiPermission.READ, this::list)
        .add("POST", basePath, ApiPermission.WRITE, this::create)
        .add("GET", one, ApiPermission.READ, this::get)
        .add("PUT", one, ApiPermission.WRITE, this::put)
        .add("PATCH", one, ApiPermission.WRITE, this::patch)
        .add("DELETE", one, ApiPermission.WRITE, this::delete)
        .add("POST", one + "/rotate-secret", ApiPermission.WRITE, this::rotateSecret)
        .add("POST", one + "/test", ApiPermission.WRITE, this::sendTest)
        .add("GET", deliveries, ApiPermission.READ, this::listDeliveries)
        .add("GET", deliveries + "/{delivery_id}", ApiPermission.READ, this::getDelivery)
        .add("POST", deliveries + "/{delivery_id}/retry", ApiPermission.WRITE, this::retryDelivery)
        .add("GET", eventTypesPath, ApiPermission.READ, this::eventTypes);
  }

  /** A builder of an API over {@code sender}. */
  public static Builder builder(WebhookSender sender) {
    return new Builder(sender);
  }

  /** The base path of the webhook routes, e.g. {@code /webhooks}. */
  public String basePath() {
    return basePath;
  }

  /** The path of the event type catalog, e.g. {@code /event-types}. */
  public String eventTypesPath() {
    return eventTypesPath;
  }

  /** The cap on a request body, in bytes; adapters stop reading past it. */
  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  /** Every route as {@code "METHOD /path/{param}"}, in the order they are matched. */
  public List<String> routes() {
    return router.routes().stream().map(r -> r.method() + " " + r.template()).toList();
  }

  /** The OpenAPI 3 document of this API at its default paths, as JSON bytes. */
  public static byte[] openApiDocument() {
    try (InputStream in = WebhooksApi.class.getResourceAsStream("openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi.json is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Answers one request; never throws for bad input: every refusal is an error response, and an
   * unexpected failure is a 500 {@code internal_error} (logged) that reveals nothing.
   */
  public ApiResponse handle(ApiRequest request) {
    requireNonNull(request, "request == null");
    try {
      ApiCaller caller = requireNonNull(authenticator.authenticate(request), "the authenticator returned null");
      if (limiter != null) {
        Duration wait = limiter.acquire(caller.tenantId());
        if (!wait.isZero()) {
          throw ApiException.rateLimited(wait);
        }
      }
      Router.Match m = router.match(request.method(), request.path());
      if (m.route() == null) {
        if (m.allowed().isEmpty()) {
          throw new ApiException(404, ErrorCode.NOT_FOUND.code(), null, "no such resource");
        }
        return withHeader(error(new ApiException(405, "method_not_allowed", null,
            request.method() + " is not allowed here; allowed: " + String.join(", ", m.allowed()))),
            "Allow", String.join(", ", m.allowed()));
      }
      if (!caller.may(m.route().permission())) {
        throw ApiException.insufficientPermissions(m.route().permission());
      }
      if (request.bodyLength() > maxBodyBytes) {
        throw tooLarge(maxBodyBytes);
      }
      Optional<String> type = request.header("Content-Type");
      if (request.bodyLength() > 0 && type.isPresent() && !type.get().toLowerCase(Locale.ROOT).contains("json")) {
        throw new ApiException(415, "unsupported_media_type", null, "the body must be application/json");
      }
      return m.route().handler().handle(new Router.Call(request, caller, m.params()));
    } catch (ApiException e) {
      ApiResponse r = error(e);
      return e.retryAfter().isPresent()
          ? withHeader(r, "Retry-After", Long.toString(Math.max(1, (e.retryAfter().get().toMillis() + 999) / 1000)))
          : r;
    } catch (WebhookValidationException e) {
      return error(status(e.code()), e.code().code(), e.getMessage(), e.field().orElse(null));
    } catch (WebhookStoreException e) {
      log.warn("webhooks API: {} {} failed: the store is unavailable", request.method(), request.path(), e);
      return error(503, "unavailable", "the webhook store is unavailable; try again", null);
    } catch (WebhookException e) {
      return error(409, "conflict", e.getMessage(), null);
    } catch (RuntimeException e) {
      log.warn("webhooks API: {} {} failed unexpectedly", request.method(), request.path(), e);
      return error(500, "internal_error", "internal error", null);
    }
  }

  static ApiException tooLarge(int max) {
    return new ApiException(413, "payload_too_large", null, "the request body is larger than " + max + " bytes");
  }

  private static int status(ErrorCode code) {
    switch (code) {
      case NOT_FOUND:
        return 404;
      case DUPLICATE_WEBHOOK:
        return 409;
      default:
        return 400;
    }
  }

  // ---- webhooks

  private ApiResponse list(Router.Call call) {
    PageRequest page = page(call.request());
    return json(200, ApiJson.page(sender.subscriptions().list(call.caller().tenantId(), page),
        s -> ApiJson.webhook(s, null)));
  }

  private ApiResponse create(Router.Call call) {
    SubscriptionSpec spec = spec(ApiJson.object(call.request().bodyShared(), SPEC_FIELDS));
    CreatedSubscription c = sender.subscriptions().create(call.caller().tenantId(), spec);
    return withHeader(json(201, ApiJson.webhook(c.subscription(), c.secret())), "Location",
        basePath + "/" + c.subscription().id());
  }

  private ApiResponse get(Router.Call call) {
    return json(200, ApiJson.webhook(sender.subscriptions().get(call.caller().tenantId(), id(call, "id")), null));
  }

  private ApiResponse put(Router.Call call) {
    UUID id = id(call, "id");
    SubscriptionSpec spec = spec(ApiJson.object(call.request().bodyShared(), SPEC_FIELDS));
    return json(200, ApiJson.webhook(sender.subscriptions().update(call.caller().tenantId(), id, spec), null));
  }

  private ApiResponse patch(Router.Call call) {
    UUID id = id(call, "id");
    ObjectNode o = ApiJson.object(call.request().bodyShared(), SPEC_FIELDS);
    SubscriptionPatch.Builder p = SubscriptionPatch.builder();
    ApiJson.string(o, "url", false).ifPresent(p::url);
    ApiJson.strings(o, "events").ifPresent(p::events);
    ApiJson.string(o, "description", true).ifPresent(p::description);
    ApiJson.bool(o, "enabled").ifPresent(p::enabled);
    ApiJson.stringMap(o, "headers").ifPresent(p::headers);
    ApiJson.stringMap(o, "metadata").ifPresent(p::metadata);
    return json(200, ApiJson.webhook(sender.subscriptions().patch(call.caller().tenantId(), id, p.build()), null));
  }

  private ApiResponse delete(Router.Call call) {
    sender.subscriptions().delete(call.caller().tenantId(), id(call, "id"));
    return new ApiResponse(204, Map.of("Cache-Control", "no-store"), new byte[0]);
  }

  private ApiResponse rotateSecret(Router.Call call) {
    UUID id = id(call, "id");
    Duration grace = Duration.ZERO;
    if (call.request().bodyLength() > 0) {
      ObjectNode o = ApiJson.object(call.request().bodyShared(), Set.of("grace_period_seconds"));
      long seconds = ApiJson.integer(o, "grace_period_seconds").orElse(0L);
      if (seconds < 0 || seconds > SubscriptionService.MAX_GRACE.toSeconds()) {
        throw ApiJson.invalid("grace_period_seconds",
            "grace_period_seconds must be within 0.." + SubscriptionService.MAX_GRACE.toSeconds());
      }
      grace = Duration.ofSeconds(seconds);
    }
    CreatedSubscription c = sender.subscriptions().rotateSecret(call.caller().tenantId(), id, grace);
    return json(200, ApiJson.webhook(c.subscription(), c.secret()));
  }

  private ApiResponse sendTest(Router.Call call) {
    UUID id = id(call, "id");
    ObjectNode o = ApiJson.object(call.request().bodyShared(), Set.of("event"));
    String event = ApiJson.string(o, "event", false).orElseThrow(() -> new WebhookValidationException(
        ErrorCode.MISSING_REQUIRED_FIELD, "event", "event is required"));
    PublishResult r = sender.subscriptions().sendTest(call.caller().tenantId(), id, event);
    ObjectNode body = ApiJson.MAPPER.createObjectNode();
    body.put("event_id", r.eventId());
    body.put("event", event);
    body.put("test", true);
    return json(202, body);
  }

  // ---- deliveries

  private ApiResponse listDeliveries(Router.Call call) {
    UUID id = id(call, "id");
    String tenant = call.caller().tenantId();
    sender.subscriptions().get(tenant, id); // 404 for another tenant's or an unknown webhook
    ApiRequest r = call.request();
    DeliveryQuery.Builder q = DeliveryQuery.builder().subscription(id).page(page(r));
    Optional<Instant> from = instant(r, "from");
    Optional<Instant> to = instant(r, "to");
    if (from.isPresent() && to.isPresent() && !to.get().isAfter(from.get())) {
      throw badParameter("to", "to must be after from");
    }
    from.ifPresent(q::from);
    to.ifPresent(q::to);
    r.query("event").ifPresent(q::eventType);
    r.query("status").ifPresent(s -> q.status(status(s)));
    return json(200, ApiJson.page(sender.deliveries().list(tenant, q.build()), d -> ApiJson.delivery(d, null)));
  }

  private ApiResponse getDelivery(Router.Call call) {
    DeliveryRecord d = delivery(call);
    return json(200, ApiJson.delivery(d, sender.deliveries().attempts(call.caller().tenantId(), d.id())));
  }

  private ApiResponse retryDelivery(Router.Call call) {
    DeliveryRecord d = delivery(call);
    return json(202, ApiJson.delivery(sender.deliveries().retry(call.caller().tenantId(), d.id()), null));
  }

  /** The delivery of the path, which must belong to the webhook of the path. */
  private DeliveryRecord delivery(Router.Call call) {
    UUID webhook = id(call, "id");
    UUID deliveryId = id(call, "delivery_id");
    DeliveryRecord d = sender.deliveries().get(call.caller().tenantId(), deliveryId);
    if (!d.subscriptionId().equals(webhook)) {
      throw new WebhookValidationException(ErrorCode.NOT_FOUND, "delivery_id", "delivery not found");
    }
    return d;
  }

  private ApiResponse eventTypes(Router.Call call) {
    List<JsonNode> types = new ArrayList<>();
    sender.catalog().types().forEach(t -> types.add(ApiJson.eventType(t)));
    return json(200, ApiJson.list(types));
  }

  // ---- request values

  private static SubscriptionSpec spec(ObjectNode o) {
    SubscriptionSpec.Builder b = SubscriptionSpec.builder();
    ApiJson.string(o, "url", false).ifPresent(b::url);
    ApiJson.strings(o, "events").ifPresent(b::events);
    ApiJson.string(o, "description", true).filter(d -> !d.isEmpty()).ifPresent(b::description);
    ApiJson.bool(o, "enabled").ifPresent(b::enabled);
    ApiJson.stringMap(o, "headers").ifPresent(b::headers);
    ApiJson.stringMap(o, "metadata").ifPresent(b::metadata);
    return b.build();
  }

  /** A path id: a malformed one names nothing, so it is {@code not_found} like an unknown one. */
  private static UUID id(Router.Call call, String name) {
    String raw = call.param(name);
    try {
      UUID id = UUID.fromString(raw);
      if (id.toString().equalsIgnoreCase(raw)) {
        return id;
      }
    } catch (IllegalArgumentException e) {
      // fall through
    }
    throw new WebhookValidationException(ErrorCode.NOT_FOUND, name, (name.equals("id") ? "webhook" : "delivery")
        + " not found");
  }

  private static PageRequest page(ApiRequest r) {
    int page = intParameter(r, "page", 1, 1, PageRequest.MAX_PAGE);
    int perPage = intParameter(r, "per_page", PageRequest.DEFAULT_PER_PAGE, 1, PageRequest.MAX_PER_PAGE);
    return new PageRequest(page, perPage);
  }

  private static int intParameter(ApiRequest r, String name, int fallback, int min, int max) {
    Optional<String> raw = r.query(name);
    if (raw.isEmpty()) {
      return fallback;
    }
    try {
      int v = Integer.parseInt(raw.get());
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw badParameter(name, name + " must be a whole number within " + min + ".." + max);
  }

  private static Optional<Instant> instant(ApiRequest r, String name) {
    Optional<String> raw = r.query(name);
    try {
      return raw.map(Instant::parse);
    } catch (DateTimeParseException e) {
      throw badParameter(name, name + " must be an ISO 8601 instant such as 2026-06-07T10:30:05Z");
    }
  }

  private static DeliveryStatus status(String raw) {
    for (DeliveryStatus s : DeliveryStatus.values()) {
      if (s.wireName().equals(raw)) {
        return s;
      }
    }
    throw badParameter("status", "status must be pending, delivered or failed");
  }

  private static ApiException badParameter(String name, String message) {
    return new ApiException(400, ErrorCode.INVALID_PARAMETER.code(), name, message);
  }

  // ---- responses

  private static ApiResponse json(int status, JsonNode body) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json; charset=utf-8");
    headers.put("Cache-Control", "no-store"); // answers may hold a secret
    return new ApiResponse(status, headers, ApiJson.bytes(body));
  }

  private static ApiResponse error(ApiException e) {
    return error(e.status(), e.code(), e.getMessage(), e.field().orElse(null));
  }

  private static ApiResponse error(int status, String code, String message, String field) {
    return json(status, ApiJson.error(code, message, field));
  }

  private static ApiResponse withHeader(ApiResponse r, String name, String value) {
    Map<String, String> headers = new LinkedHashMap<>(r.headers());
    headers.put(name, value);
    return new ApiResponse(r.status(), headers, r.bodyShared());
  }

  @Override
  public String toString() {
    return "WebhooksApi[" + basePath + ", " + eventTypesPath + "]";
  }

  /** Builds a {@link WebhooksApi}. Not thread-safe. */
  public static final class Builder {
    private final WebhookSender sender;
    private ApiAuthenticator authenticator;
    private String basePath = DEFAULT_BASE_PATH;
    private String eventTypesPath = DEFAULT_EVENT_TYPES_PATH;
    private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private double ratePerSecond;
    private int burst;
    private Clock clock = Clock.systemUTC();

    private Builder(WebhookSender sender) {
      this.sender = requireNonNull(sender, "sender == null");
    }

    /** Who calls, and as which tenant. Required: the API has no anonymous access. */
    public Builder authenticator(ApiAuthenticator authenticator) {
      this.authenticator = requireNonNull(authenticator, "authenticator == null");
      return this;
    }

    /** Where the webhook routes live. Default {@value WebhooksApi#DEFAULT_BASE_PATH}. */
    public Builder basePath(String basePath) {
      this.basePath = path(basePath, "basePath");
      return this;
    }

    /** Where the event type catalog is served. Default {@value WebhooksApi#DEFAULT_EVENT_TYPES_PATH}. */
    public Builder eventTypesPath(String eventTypesPath) {
      this.eventTypesPath = path(eventTypesPath, "eventTypesPath");
      return this;
    }

    /** The largest request body accepted; larger ones get 413. Default 64 KiB. */
    public Builder maxBodyBytes(int maxBodyBytes) {
      if (maxBodyBytes < 1024) {
        throw new IllegalArgumentException("maxBodyBytes must be at least 1024: " + maxBodyBytes);
      }
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    /**
     * At most {@code burst} requests at once per tenant, refilled at {@code perSecond}; beyond, 429
     * {@code rate_limited} with {@code Retry-After}. Per node. Default: no limit.
     */
    public Builder rateLimitPerTenant(double perSecond, int burst) {
      if (!(perSecond > 0) || Double.isInfinite(perSecond) || burst < 1) {
        throw new IllegalArgumentException("perSecond must be positive and burst at least 1");
      }
      this.ratePerSecond = perSecond;
      this.burst = burst;
      return this;
    }

    /** Time for the rate limit. Default {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock == null");
      return this;
    }

    /** @throws IllegalStateException without an authenticator, or when the two paths collide */
    public WebhooksApi build() {
      if (authenticator == null) {
        throw new IllegalStateException("an authenticator is required");
      }
      if (eventTypesPath.equals(basePath) || eventTypesPath.startsWith(basePath + "/")) {
        throw new IllegalStateException("eventTypesPath must lie outside basePath");
      }
      return new WebhooksApi(this);
    }

    private static String path(String path, String name) {
      requireNonNull(path, name + " == null");
      if (!path.matches("(/[A-Za-z0-9._~-]+)+")) {
        throw new IllegalArgumentException(name + " must be like /webhooks or /api/v1/webhooks: " + path);
      }
      return path;
    }
  }
}
