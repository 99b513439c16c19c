package dev.webhooks.sender;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookException;
import dev.webhooks.core.WebhookValidationException;
import dev.webhooks.core.event.Envelope;
import dev.webhooks.core.event.EventCatalog;
import dev.webhooks.core.event.EventType;
import dev.webhooks.core.secret.WebhookSecret;
import dev.webhooks.core.subscription.DisabledReason;
import dev.webhooks.core.subscription.Subscription;
import dev.webhooks.core.subscription.SubscriptionPatch;
import dev.webhooks.core.subscription.SubscriptionSpec;
import dev.webhooks.core.subscription.SubscriptionValidator;
import dev.webhooks.core.subscription.ValidatedSubscription;
import dev.webhooks.sender.store.EventRecord;
import dev.webhooks.sender.store.SigningSecret;
import dev.webhooks.sender.store.StoredSubscription;
import dev.webhooks.sender.store.WebhookStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Manages the subscriptions (endpoints) of each tenant: everything the products' webhook APIs
 * offer, one call each. Thread-safe. Every method is scoped by tenant: another tenant's id is
 * {@code NOT_FOUND}, exactly like an id that does not exist.
 *
 * <pre>{@code
 * CreatedSubscription c = sender.subscriptions().create("tenant-42", SubscriptionSpec.builder()
 *     .url("https://example.com/webhook").events("lookup.completed", "apikey.*").build());
 * String shownOnce = c.secret();
 * sender.subscriptions().patch("tenant-42", c.subscription().id(),
 *     SubscriptionPatch.builder().events("*").build());
 * sender.subscriptions().rotateSecret("tenant-42", c.subscription().id(), Duration.ofHours(24));
 * }</pre>
 *
 * <p>Refused input throws {@link WebhookValidationException} with the seeds' codes:
 * {@code missing_required_field}, {@code invalid_url}, {@code invalid_events},
 * {@code invalid_description}, {@code invalid_headers}, {@code invalid_metadata},
 * {@code invalid_tenant}, {@code duplicate_webhook}, {@code not_found}; nothing is stored then.
 */
public final class SubscriptionService {
  /** The longest grace period a rotation may give the old secret. */
  public static final Duration MAX_GRACE = Duration.ofDays(30);
  /** Replaced secrets still signing at once, besides the current one; older ones are dropped. */
  static final int MAX_PREVIOUS_SECRETS = 4;

  private final WebhookStore store;
  private final SubscriptionValidator validator;
  private final EventCatalog catalog;
  private final Clock clock;
  private final Runnable wakeUp;
  private final Consumer<UUID> endpointReset;

  /**
   * @param wakeUp tells the dispatcher that a delivery is due (test events)
   * @param endpointReset tells the dispatcher to forget an endpoint's health (deleted, re-enabled)
   */
  SubscriptionService(WebhookStore store, SubscriptionValidator validator, EventCatalog catalog, Clock clock,
      Runnable wakeUp, Consumer<UUID> endpointReset) {
    this.store = requireNonNull(store, "store == null");
    this.validator = requireNonNull(validator, "validator == null");
    this.catalog = requireNonNull(catalog, "catalog == null");
    this.clock = requireNonNull(clock, "clock == null");
    this.wakeUp = requireNonNull(wakeUp, "wakeUp == null");
    this.endpointReset = requireNonNull(endpointReset, "endpointReset == null");
  }

  SubscriptionService(WebhookStore store, SubscriptionValidator validator, EventCatalog catalog, Clock clock) {
    this(store, validator, catalog, clock, () -> {}, id -> {});
  }

  /** Tries a read-modify-write this many times before giving up on a subscription under constant change. */
  private static final int MAX_UPDATE_TRIES = 8;

  /**
   * Applies {@code change} to the current record and stores it if nothing changed it in between,
   * re-reading and trying again otherwise: a stale copy never undoes a concurrent disable, rotation
   * or update.
   */
  private StoredSubscription modify(String tenantId, UUID id, UnaryOperator<StoredSubscription> change) {
    for (int i = 0; i < MAX_UPDATE_TRIES; i++) {
      StoredSubscription current = find(tenantId, id);
      StoredSubscription next = change.apply(current);
      if (next == current || store.updateSubscription(next)) {
        if (!current.subscription().enabled() && next.subscription().enabled()) {
          endpointReset.accept(id);
        }
        return next;
      }
    }
    throw new WebhookException("the webhook kept changing concurrently; try again");
  }

  /** Creates a subscription with a new secret, returned this once. Enabled unless the spec says not. */
  public CreatedSubscription create(String tenantId, SubscriptionSpec spec) {
    SubscriptionValidator.requireTenantId(tenantId);
    ValidatedSubscription v = validator.validate(requireNonNull(spec, "spec == null"));
    Instant now = now();
    Subscription s = Subscription.builder().from(v).id(UUID.randomUUID()).tenantId(tenantId)
        .disabledReason(v.enabled() ? null : DisabledReason.MANUAL)
        .createdAt(now).updatedAt(now).secretLastRotatedAt(now).build();
    String secret = WebhookSecret.generate().encoded();
    store.createSubscription(new StoredSubscription(s, List.of(SigningSecret.current(secret))));
    return new CreatedSubscription(s, secret);
  }

  /** @throws WebhookValidationException {@code NOT_FOUND} */
  public Subscription get(String tenantId, UUID id) {
    return find(tenantId, id).subscription();
  }

  /** The tenant's subscriptions, oldest first. */
  public Page<Subscription> list(String tenantId, PageRequest page) {
    SubscriptionValidator.requireTenantId(tenantId);
    return store.listSubscriptions(tenantId, requireNonNull(page, "page == null"));
  }

  /** Replaces every field the spec holds (a PUT). The secret is kept. */
  public Subscription update(String tenantId, UUID id, SubscriptionSpec spec) {
    requireNonNull(spec, "spec == null");
    return replace(tenantId, id, current -> spec);
  }

  /** Changes only the fields the patch sets (a PATCH). {@code events ["*"]} means every event, present and future. */
  public Subscription patch(String tenantId, UUID id, SubscriptionPatch patch) {
    requireNonNull(patch, "patch == null");
    return patch.isEmpty() ? get(tenantId, id) : replace(tenantId, id, patch::applyTo);
  }

  /**
   * Validates and stores the spec {@code specOf} makes from the current subscription, in the
   * compare-and-set loop: a patch is applied to the fresh record on every try, so the fields it
   * leaves alone (its enabled flag among them) are never written back from a stale copy.
   */
  private Subscription replace(String tenantId, UUID id, Function<Subscription, SubscriptionSpec> specOf) {
    return modify(tenantId, id, current -> {
      Subscription before = current.subscription();
      ValidatedSubscription v = validator.validate(specOf.apply(before));
      return current.with(before.toBuilder().from(v)
          .disabledReason(v.enabled() ? null : before.disabledReason().orElse(DisabledReason.MANUAL))
          .updatedAt(now()).build());
    }).subscription();
  }

  /** Enables a subscription, clearing why it was disabled; its kept deliveries resume. */
  public Subscription enable(String tenantId, UUID id) {
    return setEnabled(tenantId, id, true);
  }

  /** Disables a subscription by hand; its pending deliveries are kept until it is enabled again. */
  public Subscription disable(String tenantId, UUID id) {
    return setEnabled(tenantId, id, false);
  }

  private Subscription setEnabled(String tenantId, UUID id, boolean enabled) {
    return modify(tenantId, id, current -> current.subscription().enabled() == enabled ? current
        : current.with(current.subscription().toBuilder().enabled(enabled)
            .disabledReason(enabled ? null : DisabledReason.MANUAL).updatedAt(now()).build()))
        .subscription();
  }

  /** Deletes a subscription and its delivery history. @throws WebhookValidationException {@code NOT_FOUND} */
  public void delete(String tenantId, UUID id) {
    SubscriptionValidator.requireTenantId(tenantId);
    if (!store.deleteSubscription(tenantId, requireNonNull(id, "id == null"))) {
      throw notFound();
    }
    endpointReset.accept(id);
  }

  /**
   * Replaces the signing secret; the new one is returned this once. During {@code grace} the old
   * secret signs too (each delivery carries both signatures), so receivers can switch without
   * refusing anything; {@link Duration#ZERO} invalidates it at once. Schemes that carry a single
   * signature (hex HMAC, GitHub-style) sign with the new secret only, whatever the grace.
   *
   * @throws IllegalArgumentException when {@code grace} is negative or over {@link #MAX_GRACE}
   */
  public CreatedSubscription rotateSecret(String tenantId, UUID id, Duration grace) {
    requireNonNull(grace, "grace == null");
    if (grace.isNegative() || grace.compareTo(MAX_GRACE) > 0) {
      throw new IllegalArgumentException("grace must be within 0.." + MAX_GRACE + ": " + grace);
    }
    String secret = WebhookSecret.generate().encoded();
    StoredSubscription stored = modify(tenantId, id, current -> {
      Instant now = now();
      List<SigningSecret> secrets = new ArrayList<>();
      secrets.add(SigningSecret.current(secret));
      if (!grace.isZero()) {
        for (SigningSecret old : current.activeSecrets(now)) {
          if (secrets.size() > MAX_PREVIOUS_SECRETS) {
            break;
          }
          Instant until = old.expiresAt().filter(e -> e.isBefore(now.plus(grace))).orElse(now.plus(grace));
          secrets.add(SigningSecret.expiring(old.secret(), until));
        }
      }
      return current.with(current.subscription().toBuilder().secretLastRotatedAt(now).updatedAt(now).build())
          .withSecrets(secrets);
    });
    Subscription after = stored.subscription();
    return new CreatedSubscription(after, secret);
  }

  /**
   * Sends a test event of {@code eventType} to this one subscription, whatever its filters and even
   * while it is disabled: the catalog's example payload, with {@code "test": true} in the envelope.
   *
   * @throws WebhookValidationException {@code INVALID_EVENTS} when the catalog has no such type,
   *     {@code NOT_FOUND} when the subscription does not exist
   */
  public PublishResult sendTest(String tenantId, UUID id, String eventType) {
    find(tenantId, id);
    if (eventType == null) {
      throw new WebhookValidationException(ErrorCode.MISSING_REQUIRED_FIELD, "event", "the event type is required");
    }
    // A malformed name is in no catalog: the same code, and the caller's field "event", not "type".
    EventType type = catalog.find(eventType).orElseThrow(() -> new WebhookValidationException(ErrorCode.INVALID_EVENTS,
        "event", EventType.isValidName(eventType) ? "the event type is not in the catalog"
            : "the event type is not a valid name (a-z, 0-9, _ and dots)"));
    Instant now = now();
    JsonNode example = type.examplePayload();
    Envelope envelope = Envelope.of(Envelope.newId(clock), type.name(), now, example).asTest();
    PublishResult r = store.publish(
        EventRecord.forOneSubscription(envelope.id(), tenantId, type.name(), now, envelope.toJson(), id));
    wakeUp.run();
    return r;
  }

  /**
   * The time stamped on records, to the microsecond: what every store keeps (PostgreSQL's
   * precision), so that an answer and a later read of the same record agree.
   */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private StoredSubscription find(String tenantId, UUID id) {
    SubscriptionValidator.requireTenantId(tenantId);
    return store.findSubscription(tenantId, requireNonNull(id, "id == null")).orElseThrow(SubscriptionService::notFound);
  }

  private static WebhookValidationException notFound() {
    return new WebhookValidationException(ErrorCode.NOT_FOUND, "id", "webhook not found");
  }
}
