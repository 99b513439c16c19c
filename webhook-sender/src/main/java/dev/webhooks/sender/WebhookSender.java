package dev.webhooks.sender;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import dev.webhooks.core.event.Envelope;
import dev.webhooks.core.event.EventCatalog;
import dev.webhooks.core.internal.Json;
import dev.webhooks.core.secret.WebhookSecret;
import dev.webhooks.core.signature.SignatureScheme;
import dev.webhooks.core.subscription.SubscriptionValidator;
import dev.webhooks.core.url.UrlPolicy;
import dev.webhooks.core.subscription.Subscription;
import dev.webhooks.sender.internal.Dispatcher;
import dev.webhooks.sender.internal.EndpointHealth;
import dev.webhooks.sender.internal.HttpDeliverer;
import dev.webhooks.sender.store.EventRecord;
import dev.webhooks.sender.store.InMemoryWebhookStore;
import dev.webhooks.sender.store.TransactionalWebhookStore;
import dev.webhooks.sender.store.WebhookStore;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import okhttp3.OkHttpClient;

/**
 * Publishes events and delivers them as signed webhooks to the subscriptions of each tenant.
 * Thread-safe; build one per application and share it.
 *
 * <pre>{@code
 * WebhookSender sender = WebhookSender.builder()
 *     .catalog(catalog)                              // required: the event types you emit
 *     .store(new InMemoryWebhookStore())             // default; a JDBC store for durability
 *     .retryPolicy(RetryPolicy.standardWebhooks())   // default
 *     .urlPolicy(UrlPolicy.strict())                 // default: HTTPS, public addresses only
 *     .build();
 * sender.start();
 * CreatedSubscription c = sender.subscriptions().create(tenantId, spec);   // c.secret() shown once
 * PublishResult r = sender.publish(tenantId, "lookup.completed", data);    // returns at once
 * sender.close();                                                          // in-flight attempts finish
 * }</pre>
 *
 * <p>Delivery is at least once: {@code publish} stores the event and one delivery per matching
 * enabled subscription, atomically, and returns; workers then attempt each delivery, signed anew
 * with a fresh timestamp at every attempt, and retry by the policy until a 2xx answer. Redirects
 * are never followed; {@code 410 Gone} disables the subscription; {@code Retry-After} is honoured
 * (clamped). Receivers de-duplicate on the event id ({@code webhook-id}).
 */
public final class WebhookSender implements AutoCloseable {
  /** The longest pause of an open circuit: failed probes double the pause up to this. */
  public static final Duration MAX_CIRCUIT_PAUSE = Duration.ofMinutes(10);

  /** Sent as {@code user-agent} with every delivery. */
  public static final String USER_AGENT = "webhooks-java/0.1";

  private final EventCatalog catalog;
  private final WebhookStore store;
  private final Clock clock;
  private final ObjectMapper mapper;
  private final HttpDeliverer http;
  private final Dispatcher dispatcher;
  private final SubscriptionService subscriptions;
  private final DeliveryService deliveries;
  private final Duration closeGrace;
  private final Runnable wakeUp;

  private WebhookSender(Builder b) {
    this.catalog = b.catalog;
    this.store = b.store;
    this.clock = b.clock;
    this.mapper = b.mapper;
    this.closeGrace = b.closeGrace;
    this.http = new HttpDeliverer(b.httpClient, b.urlPolicy, b.timeout, HttpDeliverer.DEFAULT_EXCERPT_BYTES,
        System::nanoTime, b.workers);
    this.dispatcher = new Dispatcher(store, b.scheme, http, b.retryPolicy, b.retryPolicyPerSubscription,
        new EndpointHealth(b.circuitFailures, b.circuitOpenFor, MAX_CIRCUIT_PAUSE, b.ratePerSecond), b.disableAfter,
        clock, b.listener, new Dispatcher.Settings(b.workers, b.batchSize, b.lease, b.pollInterval, b.maxConcurrencyPerSubscription,
            USER_AGENT));
    // Custom headers may not override what the scheme sends: learn its header names by signing once.
    Set<String> schemeHeaders = b.scheme.sign("msg_probe", Instant.EPOCH, new byte[0],
        java.util.List.of(WebhookSecret.generate())).keySet();
    SubscriptionValidator validator = new SubscriptionValidator(catalog, b.urlPolicy, schemeHeaders);
    this.subscriptions = new SubscriptionService(store, validator, catalog, clock, dispatcher::wakeUp,
        dispatcher::forget);
    this.deliveries = new DeliveryService(store, clock, dispatcher::wakeUp);
    this.wakeUp = dispatcher::wakeUp;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts the background workers. Until then, published deliveries wait in the store. */
  public WebhookSender start() {
    dispatcher.start();
    store.addWorkListener(wakeUp);
    return this;
  }

  /** Managing subscriptions: create, list, update, rotate secrets, send test events. */
  public SubscriptionService subscriptions() {
    return subscriptions;
  }

  /** The delivery log: list, inspect, retry, recover. */
  public DeliveryService deliveries() {
    return deliveries;
  }

  /** The application's event types. */
  public EventCatalog catalog() {
    return catalog;
  }

  /** Publishes an event; see {@link #publish(String, String, Object, String)}. */
  public PublishResult publish(String tenantId, String eventType, Object data) {
    return publish(tenantId, eventType, data, null);
  }

  /**
   * Publishes an event to every enabled subscription of {@code tenantId} whose filters match
   * {@code eventType}: stores the event and its deliveries atomically and returns at once.
   *
   * @param data the payload: a {@link JsonNode}, or any object Jackson can serialise
   * @param idempotencyKey {@code null}, or up to 255 visible ASCII characters: publishing again
   *     with the same key for the same tenant creates nothing and returns the first event's id
   * @throws WebhookValidationException {@code INVALID_EVENTS} (field {@code type}) when the catalog
   *     has no such type; {@code MISSING_REQUIRED_FIELD} or {@code INVALID_TENANT} for a bad tenant
   * @throws IllegalArgumentException when {@code data} cannot be serialised or the key is malformed
   * @throws dev.webhooks.sender.store.WebhookStoreException when the store's database fails; see
   *     its documentation for the rare case in which the event may have been stored all the same
   */
  public PublishResult publish(String tenantId, String eventType, Object data, String idempotencyKey) {
    PublishResult r = store.publish(event(tenantId, eventType, data, idempotencyKey));
    if (r.deliveries() > 0) {
      dispatcher.wakeUp();
    }
    return r;
  }

  /** Publishes inside the caller's transaction; see {@link #publish(Connection, String, String, Object, String)}. */
  public PublishResult publish(Connection connection, String tenantId, String eventType, Object data) {
    return publish(connection, tenantId, eventType, data, null);
  }

  /**
   * Publishes inside the caller's own open transaction on {@code connection} (the transactional
   * outbox): the event and its deliveries are written with the caller's other changes and sent
   * only once the caller commits. If the caller rolls back, nothing is ever sent; once it has
   * committed, the event is delivered even if the process dies right after. Needs a
   * {@link TransactionalWebhookStore} ({@code JdbcWebhookStore}) on the same database as the
   * connection.
   *
   * <pre>{@code
   * try (Connection c = dataSource.getConnection()) {
   *   c.setAutoCommit(false);
   *   orders.markPaid(c, orderId);                                     // the application's own change
   *   sender.publish(c, tenantId, "order.paid", Map.of("id", orderId)); // same transaction
   *   c.commit();                                                      // both, or neither
   * }
   * }</pre>
   *
   * <p>With Spring, pass {@code DataSourceUtils.getConnection(dataSource)} inside a
   * {@code @Transactional} method or a {@code TransactionTemplate} callback. Workers see the
   * deliveries at their next poll after the commit, or at once with PostgreSQL notifications.
   *
   * @throws IllegalStateException when the store cannot publish in a transaction, or the connection
   *     is in auto-commit mode
   * @throws dev.webhooks.sender.store.WebhookStoreException when the database refuses: roll back
   * @see #publish(String, String, Object, String) for the arguments and the other errors
   */
  public PublishResult publish(Connection connection, String tenantId, String eventType, Object data,
      String idempotencyKey) {
    requireNonNull(connection, "connection == null");
    if (!(store instanceof TransactionalWebhookStore)) {
      throw new IllegalStateException("publishing inside a transaction needs a TransactionalWebhookStore "
          + "(JdbcWebhookStore); this sender's store is " + store.getClass().getSimpleName());
    }
    return ((TransactionalWebhookStore) store).publish(connection, event(tenantId, eventType, data, idempotencyKey));
  }

  private EventRecord event(String tenantId, String eventType, Object data, String idempotencyKey) {
    SubscriptionValidator.requireTenantId(tenantId);
    requireNonNull(data, "data == null");
    if (eventType == null) {
      throw new WebhookValidationException(ErrorCode.MISSING_REQUIRED_FIELD, "type", "the event type is required");
    }
    if (!catalog.contains(eventType)) {
      throw new WebhookValidationException(ErrorCode.INVALID_EVENTS, "type", "the event type is not in the catalog");
    }
    if (idempotencyKey != null && (idempotencyKey.isEmpty() || idempotencyKey.length() > 255
        || !idempotencyKey.chars().allMatch(c -> c > 32 && c < 127))) {
      throw new IllegalArgumentException("idempotencyKey must be 1-255 visible ASCII characters");
    }
    JsonNode node = data instanceof JsonNode ? (JsonNode) data : mapper.valueToTree(data);
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS); // what every store keeps
    String id = Envelope.newId(clock);
    return EventRecord.of(id, tenantId, eventType, now, Envelope.json(id, eventType, now, node), idempotencyKey);
  }

  /**
   * Handles every delivery due now and returns when none is due: the number of deliveries attempted
   * or deferred by their endpoint's health. Tests drive retries with it and a controlled clock; applications
   * that do not {@link #start()} background workers may call it from their own scheduler.
   */
  public int dispatchDueNow() {
    return dispatcher.dispatchDue();
  }

  /**
   * Stops the workers gracefully: attempts in flight finish (within the close grace), claims not
   * yet attempted go back to the store, due at once; an attempt cut short by the shutdown is not
   * counted. Nothing pending is lost; with the in-memory store it is kept until this object is
   * gone. The sender cannot be started again.
   */
  @Override
  public void close() {
    store.removeWorkListener(wakeUp);
    dispatcher.close(closeGrace);
    http.close();
  }

  /** Builds a {@link WebhookSender}. Not thread-safe. */
  public static final class Builder {
    private EventCatalog catalog;
    private WebhookStore store = new InMemoryWebhookStore();
    private RetryPolicy retryPolicy = RetryPolicy.standardWebhooks();
    private UrlPolicy urlPolicy = UrlPolicy.strict();
    private SignatureScheme scheme = SignatureScheme.standardWebhooks();
    private OkHttpClient httpClient;
    private Clock clock = Clock.systemUTC();
    private DeliveryListener listener = DeliveryListener.NONE;
    private ObjectMapper mapper = Json.MAPPER;
    private Duration timeout = HttpDeliverer.DEFAULT_TIMEOUT;
    private int workers = 32;
    private int batchSize = 100;
    private Duration lease = Duration.ofSeconds(60);
    private Duration pollInterval = Duration.ofMillis(500);
    private int maxConcurrencyPerSubscription = 4;
    private Duration closeGrace = Duration.ofSeconds(30);
    private java.util.function.Function<Subscription, RetryPolicy> retryPolicyPerSubscription;
    private int circuitFailures = 5;
    private Duration circuitOpenFor = Duration.ofSeconds(30);
    private Duration disableAfter = Duration.ofDays(5);
    private double ratePerSecond;

    private Builder() {}

    /**
     * A retry policy chosen per subscription, e.g. from its metadata ({@code "tier": "premium"});
     * {@code null} from the function means the sender's {@link #retryPolicy}. Called for every
     * failed attempt: keep it fast. Default: none.
     */
    public Builder retryPolicyPerSubscription(java.util.function.Function<Subscription, RetryPolicy> choose) {
      this.retryPolicyPerSubscription = requireNonNull(choose, "choose == null");
      return this;
    }

    /**
     * The circuit breaker: after {@code failures} failed attempts in a row, an endpoint gets no
     * attempt for {@code openFor}; then one probe goes, and each failed probe doubles the pause (up
     * to {@link WebhookSender#MAX_CIRCUIT_PAUSE}). Deliveries wait meanwhile; none is lost or counted
     * as an attempt. Default 5 failures, 30 s.
     */
    public Builder circuitBreaker(int failures, Duration openFor) {
      this.circuitFailures = atLeastOne(failures, "failures");
      this.circuitOpenFor = positive(openFor, "openFor");
      return this;
    }

    /**
     * Disables a subscription whose attempts have all failed for this long (its deliveries are
     * kept, and the listener hears of it). Default 5 days.
     */
    public Builder disableAfter(Duration disableAfter) {
      this.disableAfter = positive(disableAfter, "disableAfter");
      return this;
    }

    /** At most this many attempts per second to one subscription, per node; 0 for no limit (the default). */
    public Builder rateLimitPerSubscription(double perSecond) {
      if (!(perSecond >= 0) || Double.isInfinite(perSecond)) {
        throw new IllegalArgumentException("perSecond must be >= 0: " + perSecond);
      }
      this.ratePerSecond = perSecond;
      return this;
    }

    /** The event types the application emits. Required. */
    public Builder catalog(EventCatalog catalog) {
      this.catalog = requireNonNull(catalog, "catalog == null");
      return this;
    }

    /**
     * Where subscriptions and deliveries live. Default: a new {@link InMemoryWebhookStore}, whose
     * delivery log keeps the last {@value InMemoryWebhookStore#DEFAULT_KEEP_FINISHED} delivered deliveries.
     */
    public Builder store(WebhookStore store) {
      this.store = requireNonNull(store, "store == null");
      return this;
    }

    /** When failed deliveries are retried. Default {@link RetryPolicy#standardWebhooks()}. */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = requireNonNull(retryPolicy, "retryPolicy == null");
      return this;
    }

    /** Which endpoint URLs and addresses are allowed. Default {@link UrlPolicy#strict()}. */
    public Builder urlPolicy(UrlPolicy urlPolicy) {
      this.urlPolicy = requireNonNull(urlPolicy, "urlPolicy == null");
      return this;
    }

    /** How deliveries are signed. Default {@link SignatureScheme#standardWebhooks()}; must be able to sign. */
    public Builder signatureScheme(SignatureScheme scheme) {
      requireNonNull(scheme, "scheme == null");
      if (!scheme.canSign()) {
        throw new IllegalArgumentException(scheme.name() + " only verifies; choose a scheme that signs");
      }
      this.scheme = scheme;
      return this;
    }

    /**
     * The application's OkHttp client, to share its connection pool and TLS settings. The sender
     * derives its own from it: no redirects, no proxy, its own DNS checks and timeouts. Default: a
     * new client.
     */
    public Builder httpClient(OkHttpClient httpClient) {
      this.httpClient = requireNonNull(httpClient, "httpClient == null");
      return this;
    }

    /** Time for timestamps, schedules and leases. Default {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock == null");
      return this;
    }

    /** Hears every attempt and outcome. Default {@link DeliveryListener#NONE}. */
    public Builder listener(DeliveryListener listener) {
      this.listener = requireNonNull(listener, "listener == null");
      return this;
    }

    /** Serialises published payloads that are not already JSON trees. Default: a plain mapper. */
    public Builder objectMapper(ObjectMapper mapper) {
      this.mapper = requireNonNull(mapper, "mapper == null");
      return this;
    }

    /** How long an attempt may take, connection to last byte. Default 5 s. */
    public Builder timeout(Duration timeout) {
      this.timeout = positive(timeout, "timeout");
      return this;
    }

    /**
     * Worker threads attempting deliveries. Default 32. Besides them, up to {@code workers / 2}
     * (at least one) spare threads (created when needed, ended after a minute unused) take work while workers are
     * stuck in attempts running for a quarter of the timeout or more, so that endpoints that hang
     * do not hold back the others until their timeouts.
     */
    public Builder workers(int workers) {
      this.workers = atLeastOne(workers, "workers");
      return this;
    }

    /** Attempts in flight at once to one subscription, per node (each node sharing a store has its own). Default 4. */
    public Builder maxConcurrencyPerSubscription(int max) {
      this.maxConcurrencyPerSubscription = atLeastOne(max, "maxConcurrencyPerSubscription");
      return this;
    }

    /** Deliveries claimed per poll. Default 100. */
    public Builder batchSize(int batchSize) {
      this.batchSize = atLeastOne(batchSize, "batchSize");
      return this;
    }

    /** How long a claim is held before another node may take it over. Default 60 s. */
    public Builder lease(Duration lease) {
      this.lease = positive(lease, "lease");
      return this;
    }

    /** How often the store is polled when nothing wakes the workers. Default 500 ms. */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = positive(pollInterval, "pollInterval");
      return this;
    }

    /** How long {@link WebhookSender#close()} waits for attempts in flight. Default 30 s. */
    public Builder closeGrace(Duration closeGrace) {
      this.closeGrace = positive(closeGrace, "closeGrace");
      return this;
    }

    /**
     * @throws IllegalStateException without a catalog, or when the lease is too short to cover
     *     the attempts a worker runs back to back
     */
    public WebhookSender build() {
      if (catalog == null) {
        throw new IllegalStateException("catalog is required");
      }
      Duration minLease = timeout.multipliedBy(Dispatcher.LANE_DEPTH).plusSeconds(10);
      if (lease.compareTo(minLease) < 0) {
        throw new IllegalStateException("lease must be at least " + minLease + " with a timeout of " + timeout);
      }
      return new WebhookSender(this);
    }

    private static Duration positive(Duration d, String name) {
      requireNonNull(d, name + " == null");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }

    private static int atLeastOne(int n, String name) {
      if (n < 1) {
        throw new IllegalArgumentException(name + " must be at least 1: " + n);
      }
      return n;
    }
  }
}
