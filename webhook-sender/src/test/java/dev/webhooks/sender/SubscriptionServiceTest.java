package dev.webhooks.sender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import dev.webhooks.core.event.Envelope;
import dev.webhooks.core.event.EventCatalog;
import dev.webhooks.core.subscription.DisabledReason;
import dev.webhooks.core.subscription.Subscription;
import dev.webhooks.core.subscription.SubscriptionPatch;
import dev.webhooks.core.subscription.SubscriptionSpec;
import dev.webhooks.core.subscription.SubscriptionValidator;
import dev.webhooks.core.url.UrlPolicy;
import dev.webhooks.sender.store.ClaimedDelivery;
import dev.webhooks.sender.store.InMemoryWebhookStore;
import dev.webhooks.sender.store.SigningSecret;
import dev.webhooks.sender.store.StoredSubscription;
import dev.webhooks.sender.store.WebhookStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class SubscriptionServiceTest {
  static final Instant T0 = Instant.parse("2026-05-02T12:00:00Z");
  static final ObjectMapper JSON = new ObjectMapper();

  final TestClock clock = new TestClock(T0);
  final InMemoryWebhookStore store = new InMemoryWebhookStore();
  final EventCatalog catalog;
  final SubscriptionService service;

  SubscriptionServiceTest() throws Exception {
    catalog = EventCatalog.builder()
        .event("lookup.completed", "A lookup finished", JSON.readTree("{\"email\":\"jane@example.com\"}"))
        .event("apikey.created", "An API key was created", JSON.readTree("{\"key_id\":\"k_1\"}"))
        .declared("apikey.revoked", "An API key was revoked", JSON.readTree("{\"key_id\":\"k_1\"}"))
        .build();
    service = new SubscriptionService(store, new SubscriptionValidator(catalog, UrlPolicy.strict()), catalog, clock);
  }

  static SubscriptionSpec spec(String url, String... events) {
    return SubscriptionSpec.builder().url(url).events(events).description("Production webhook").build();
  }

  static ErrorCode code(Runnable r) {
    return assertThrows(WebhookValidationException.class, r::run).code();
  }

  @Test
  void create_returnsTheSecretOnce_andStoresIt() {
    CreatedSubscription c = service.create("t1", spec("https://example.com/webhook", "lookup.completed", "apikey.created"));
    assertTrue(c.secret().startsWith("whsec_"));
    assertFalse(c.toString().contains(c.secret()));
    Subscription s = c.subscription();
    assertTrue(s.enabled());
    assertEquals(List.of("lookup.completed", "apikey.created"), s.events());
    assertEquals(T0, s.createdAt());
    assertEquals(s, service.get("t1", s.id()));
    StoredSubscription stored = store.findSubscription("t1", s.id()).orElseThrow();
    assertEquals(List.of(SigningSecret.current(c.secret())), stored.secrets());
    assertFalse(service.get("t1", s.id()).toString().contains(c.secret()));
  }

  @Test
  void create_badInput_specificCode_andNothingStored() {
    assertEquals(ErrorCode.MISSING_REQUIRED_FIELD, code(() -> service.create("t1", SubscriptionSpec.builder().events("*").build())));
    assertEquals(ErrorCode.INVALID_URL, code(() -> service.create("t1", spec("http://example.com/x", "*"))));
    assertEquals(ErrorCode.INVALID_URL, code(() -> service.create("t1", spec("https://169.254.169.254/latest", "*"))));
    assertEquals(ErrorCode.INVALID_EVENTS, code(() -> service.create("t1", spec("https://example.com/x", "nope.never"))));
    assertEquals(ErrorCode.MISSING_REQUIRED_FIELD, code(() -> service.create("t1", spec("https://example.com/x"))));
    assertEquals(ErrorCode.INVALID_DESCRIPTION, code(() -> service.create("t1",
        spec("https://example.com/x", "*").toBuilder().description("x".repeat(201)).build())));
    assertEquals(ErrorCode.INVALID_HEADERS, code(() -> service.create("t1",
        spec("https://example.com/x", "*").toBuilder().header("X-Evil", "a\r\nHost: b").build())));
    assertEquals(ErrorCode.MISSING_REQUIRED_FIELD, code(() -> service.create(" ", spec("https://example.com/x", "*"))));
    assertTrue(service.list("t1", PageRequest.first()).items().isEmpty());
  }

  @Test
  void create_sameUrlTwice_duplicateWebhook() {
    service.create("t1", spec("https://example.com/webhook", "*"));
    assertEquals(ErrorCode.DUPLICATE_WEBHOOK, code(() -> service.create("t1", spec("https://example.com/webhook", "*"))));
    service.create("t2", spec("https://example.com/webhook", "*"));
  }

  @Test
  void create_disabled_isManuallyDisabled() {
    Subscription s = service.create("t1", spec("https://example.com/x", "*").toBuilder().enabled(false).build()).subscription();
    assertFalse(s.enabled());
    assertEquals(Optional.of(DisabledReason.MANUAL), s.disabledReason());
  }

  @Test
  void otherTenant_everyOperation_notFound() {
    UUID id = service.create("t1", spec("https://example.com/x", "*")).subscription().id();
    List<Consumer<String>> ops = List.of(
        t -> service.get(t, id),
        t -> service.update(t, id, spec("https://example.com/y", "*")),
        t -> service.patch(t, id, SubscriptionPatch.builder().description("x").build()),
        t -> service.enable(t, id),
        t -> service.disable(t, id),
        t -> service.rotateSecret(t, id, Duration.ZERO),
        t -> service.sendTest(t, id, "lookup.completed"),
        t -> service.delete(t, id));
    for (Consumer<String> op : ops) {
      assertEquals(ErrorCode.NOT_FOUND, code(() -> op.accept("t2")));
    }
    assertEquals(ErrorCode.NOT_FOUND, code(() -> service.get("t1", UUID.randomUUID())));
    assertEquals("https://example.com/x", service.get("t1", id).url().toString()); // untouched
  }

  @Test
  void update_replacesFields_keepsIdCreatedAtAndSecret() {
    CreatedSubscription c = service.create("t1", spec("https://example.com/x", "lookup.completed"));
    clock.advance(Duration.ofMinutes(3));
    Subscription u = service.update("t1", c.subscription().id(),
        SubscriptionSpec.builder().url("https://example.com/y").events("*").header("Authorization", "Bearer t").build());
    assertEquals("https://example.com/y", u.url().toString());
    assertEquals(List.of("*"), u.events());
    assertEquals("", u.description());
    assertEquals(T0, u.createdAt());
    assertEquals(T0.plus(Duration.ofMinutes(3)), u.updatedAt());
    assertEquals(c.secret(), store.findSubscription("t1", u.id()).orElseThrow().secrets().get(0).secret());
  }

  @Test
  void patch_changesOnlyWhatItSets() {
    Subscription s = service.create("t1", spec("https://example.com/x", "lookup.completed")).subscription();
    Subscription p = service.patch("t1", s.id(), SubscriptionPatch.builder().events("*").build());
    assertEquals(List.of("*"), p.events());
    assertEquals(s.url(), p.url());
    assertEquals("Production webhook", p.description());
    assertEquals(ErrorCode.INVALID_URL, code(() -> service.patch("t1", s.id(),
        SubscriptionPatch.builder().url("https://localhost/x").build())));
    assertEquals(p, service.get("t1", s.id()));
  }

  @Test
  void disableThenEnable_reasonSetAndCleared() {
    Subscription s = service.create("t1", spec("https://example.com/x", "*")).subscription();
    assertEquals(Optional.of(DisabledReason.MANUAL), service.disable("t1", s.id()).disabledReason());
    Subscription on = service.enable("t1", s.id());
    assertTrue(on.enabled());
    assertEquals(Optional.empty(), on.disabledReason());
  }

  @Test
  void delete_thenNotFound() {
    Subscription s = service.create("t1", spec("https://example.com/x", "*")).subscription();
    service.delete("t1", s.id());
    assertEquals(ErrorCode.NOT_FOUND, code(() -> service.get("t1", s.id())));
    assertEquals(ErrorCode.NOT_FOUND, code(() -> service.delete("t1", s.id())));
  }

  @Test
  void rotateSecret_oldSecretSignsUntilTheGraceEnds() {
    CreatedSubscription c = service.create("t1", spec("https://example.com/x", "*"));
    clock.advance(Duration.ofHours(1));
    CreatedSubscription r = service.rotateSecret("t1", c.subscription().id(), Duration.ofHours(24));
    assertNotEquals(c.secret(), r.secret());
    assertEquals(clock.instant(), r.subscription().secretLastRotatedAt());
    StoredSubscription stored = store.findSubscription("t1", c.subscription().id()).orElseThrow();
    assertEquals(List.of(SigningSecret.current(r.secret()),
        SigningSecret.expiring(c.secret(), clock.instant().plus(Duration.ofHours(24)))), stored.secrets());
    assertEquals(2, stored.activeSecrets(clock.instant().plus(Duration.ofHours(23))).size());
    assertEquals(1, stored.activeSecrets(clock.instant().plus(Duration.ofHours(24))).size());
  }

  @Test
  void rotateSecret_withoutGrace_invalidatesTheOldAtOnce() {
    CreatedSubscription c = service.create("t1", spec("https://example.com/x", "*"));
    CreatedSubscription r = service.rotateSecret("t1", c.subscription().id(), Duration.ZERO);
    assertEquals(List.of(SigningSecret.current(r.secret())),
        store.findSubscription("t1", c.subscription().id()).orElseThrow().secrets());
    assertThrows(IllegalArgumentException.class, () -> service.rotateSecret("t1", c.subscription().id(), Duration.ofSeconds(-1)));
    assertThrows(IllegalArgumentException.class, () -> service.rotateSecret("t1", c.subscription().id(), Duration.ofDays(31)));
  }

  @Test
  void rotateSecret_manyTimes_keepsABoundedNumberOfOldSecrets() {
    UUID id = service.create("t1", spec("https://example.com/x", "*")).subscription().id();
    for (int i = 0; i < 10; i++) {
      service.rotateSecret("t1", id, Duration.ofDays(1));
    }
    assertEquals(1 + SubscriptionService.MAX_PREVIOUS_SECRETS, store.findSubscription("t1", id).orElseThrow().secrets().size());
  }

  @Test
  void sendTest_deliversTheExamplePayloadMarkedTest_toThatSubscriptionOnly() throws Exception {
    Subscription s = service.create("t1", spec("https://example.com/x", "apikey.created")).subscription();
    service.create("t1", spec("https://example.com/y", "*"));
    PublishResult r = service.sendTest("t1", s.id(), "lookup.completed");
    assertEquals(1, r.deliveries());
    List<ClaimedDelivery> claims = store.claimDue(clock.instant(), 10, Duration.ofSeconds(30), Set.of());
    assertEquals(1, claims.size());
    assertEquals(s.id(), claims.get(0).delivery().subscriptionId());
    Envelope e = Envelope.parse(claims.get(0).payload());
    assertTrue(e.isTest());
    assertEquals("lookup.completed", e.type());
    assertEquals(r.eventId(), e.id());
    assertEquals("jane@example.com", e.data().get("email").asText());
    assertEquals(ErrorCode.INVALID_EVENTS, code(() -> service.sendTest("t1", s.id(), "unknown.type")));
    assertEquals(ErrorCode.INVALID_EVENTS, code(() -> service.sendTest("t1", s.id(), "Bad Name")));
  }

  @Test
  void list_paged_oldestFirst() {
    for (int i = 0; i < 3; i++) {
      service.create("t1", spec("https://h" + i + ".example.com/", "*"));
    }
    Page<Subscription> p = service.list("t1", new PageRequest(1, 2));
    assertEquals(2, p.items().size());
    assertTrue(p.hasMore());
    assertEquals("https://h2.example.com/", service.list("t1", p.next()).items().get(0).url().toString());
  }

  /**
   * Regression: a patch used to be applied to a copy read before the compare-and-set loop, so a
   * 410 disable landing between the read and the write was undone by the patch's stale enabled flag.
   */
  @Test
  void patch_racingADisable_keepsTheSubscriptionDisabled() {
    InMemoryWebhookStore inner = new InMemoryWebhookStore();
    boolean[] raced = {false};
    WebhookStore racing = (WebhookStore) java.lang.reflect.Proxy.newProxyInstance(
        WebhookStore.class.getClassLoader(), new Class<?>[] {WebhookStore.class}, (proxy, method, args) -> {
          if (method.getName().equals("updateSubscription") && !raced[0]) {
            raced[0] = true; // the dispatcher's 410 arrives between the service's read and its write
            StoredSubscription s = (StoredSubscription) args[0];
            inner.disableSubscription(s.subscription().tenantId(), s.subscription().id(),
                DisabledReason.ENDPOINT_GONE, T0);
          }
          try {
            return method.invoke(inner, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
    SubscriptionService racy = new SubscriptionService(racing, new SubscriptionValidator(catalog, UrlPolicy.strict()),
        catalog, clock);
    Subscription s = racy.create("t1", spec("https://example.com/x", "*")).subscription();
    Subscription patched = racy.patch("t1", s.id(), SubscriptionPatch.builder().description("renamed").build());
    assertTrue(raced[0]);
    assertFalse(patched.enabled());
    assertEquals(Optional.of(DisabledReason.ENDPOINT_GONE), patched.disabledReason());
    assertEquals("renamed", patched.description());
    assertEquals(patched, racy.get("t1", s.id()));
  }
}
