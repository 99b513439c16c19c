package dev.webhooks.core.subscription;

import static dev.webhooks.core.subscription.Fixtures.CATALOG;
import static dev.webhooks.core.subscription.Fixtures.ID;
import static dev.webhooks.core.subscription.Fixtures.SECRET_META;
import static dev.webhooks.core.subscription.Fixtures.SECRET_VALUE;
import static dev.webhooks.core.subscription.Fixtures.T0;
import static dev.webhooks.core.subscription.Fixtures.VALIDATOR;
import static dev.webhooks.core.subscription.Fixtures.subscription;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SubscriptionTest {
  /** One setter per required field, by the name build() reports. */
  private static Map<String, Consumer<Subscription.Builder>> requiredSetters() {
    Map<String, Consumer<Subscription.Builder>> setters = new LinkedHashMap<>();
    setters.put("id", b -> b.id(ID));
    setters.put("tenantId", b -> b.tenantId("tenant_42"));
    setters.put("url", b -> b.url(URI.create("https://example.com/webhook")));
    setters.put("filters", b -> b.filters(CATALOG.filters(List.of("lookup.completed"))));
    setters.put("createdAt", b -> b.createdAt(T0));
    setters.put("updatedAt", b -> b.updatedAt(T0));
    setters.put("secretLastRotatedAt", b -> b.secretLastRotatedAt(T0));
    return setters;
  }

  @ParameterizedTest
  @ValueSource(strings = {"id", "tenantId", "url", "filters", "createdAt", "updatedAt",
      "secretLastRotatedAt"})
  void build_missingRequiredField_throwsNamingIt(String missing) {
    Subscription.Builder builder = Subscription.builder();
    requiredSetters().forEach((name, setter) -> {
      if (!name.equals(missing)) {
        setter.accept(builder);
      }
    });
    IllegalStateException e = assertThrows(IllegalStateException.class, builder::build);
    assertTrue(e.getMessage().startsWith(missing + " "), e.getMessage());
  }

  @Test
  void build_requiredFieldsOnly_appliesDefaults() {
    Subscription.Builder builder = Subscription.builder();
    requiredSetters().values().forEach(setter -> setter.accept(builder));
    Subscription sub = builder.build();
    assertTrue(sub.enabled());
    assertEquals("", sub.description());
    assertEquals(Map.of(), sub.headers());
    assertEquals(Map.of(), sub.metadata());
    assertEquals(Optional.empty(), sub.lastDeliveredAt());
    assertEquals(Optional.empty(), sub.disabledReason());
  }

  @Test
  void build_enabledWithDisabledReason_throws() {
    Subscription.Builder builder = subscription().toBuilder()
        .disabledReason(DisabledReason.ENDPOINT_GONE);
    IllegalStateException e = assertThrows(IllegalStateException.class, builder::build);
    assertTrue(e.getMessage().contains("disabledReason"), e.getMessage());
  }

  @Test
  void build_disabledWithReason_keepsIt() {
    Subscription sub = subscription().toBuilder()
        .enabled(false).disabledReason(DisabledReason.FAILING).build();
    assertEquals(Optional.of(DisabledReason.FAILING), sub.disabledReason());
    assertFalse(sub.enabled());
    // Disabled without a reason is fine too, e.g. created disabled.
    assertEquals(Optional.empty(),
        subscription().toBuilder().enabled(false).build().disabledReason());
  }

  @Test
  void from_validated_setsTenantControlledFields() {
    Subscription sub = subscription();
    assertEquals(URI.create("https://example.com/webhook"), sub.url());
    assertEquals(List.of("lookup.completed", "apikey.created"), sub.events());
    assertEquals(sub.filters().toWireForm(), sub.events());
    assertEquals("Production webhook", sub.description());
    assertTrue(sub.enabled());
    assertEquals(List.of("Authorization", "X-Tenant"), List.copyOf(sub.headers().keySet()));
    assertEquals(Map.of("team", SECRET_META), sub.metadata());
    assertEquals(ID, sub.id());
    assertEquals("tenant_42", sub.tenantId());
    assertEquals(T0, sub.createdAt());
    assertEquals(T0, sub.updatedAt());
    assertEquals(T0, sub.secretLastRotatedAt());
  }

  @Test
  void toSpec_roundTrip_validatesToSameSubscription() {
    Subscription sub = subscription();
    SubscriptionSpec spec = sub.toSpec();
    assertEquals("https://example.com/webhook", spec.url());
    assertEquals(List.of("lookup.completed", "apikey.created"), spec.events());
    assertEquals(Optional.of("Production webhook"), spec.description());
    assertEquals(sub.headers(), spec.headers());
    assertEquals(sub.metadata(), spec.metadata());
    Subscription again = sub.toBuilder().from(VALIDATOR.validate(spec)).build();
    assertEquals(sub, again);
    assertEquals(sub.hashCode(), again.hashCode());
  }

  @Test
  void toSpec_noDescription_absent() {
    Subscription sub = subscription().toBuilder().description("").enabled(false).build();
    assertEquals(Optional.empty(), sub.toSpec().description());
    assertFalse(sub.toSpec().enabled());
  }

  @Test
  void toBuilder_unchanged_equal() {
    Subscription sub = subscription().toBuilder()
        .lastDeliveredAt(T0.plusSeconds(5)).enabled(false)
        .disabledReason(DisabledReason.MANUAL).build();
    assertEquals(sub, sub.toBuilder().build());
    assertEquals(sub.hashCode(), sub.toBuilder().build().hashCode());
  }

  @Test
  void equals_differsOnEachField() {
    Subscription sub = subscription();
    List<Subscription> variants = List.of(
        sub.toBuilder().id(UUID.randomUUID()).build(),
        sub.toBuilder().tenantId("other").build(),
        sub.toBuilder().url(URI.create("https://example.org/x")).build(),
        sub.toBuilder().filters(CATALOG.filters(List.of("*"))).build(),
        sub.toBuilder().description("other").build(),
        sub.toBuilder().enabled(false).build(),
        sub.toBuilder().headers(Map.of("X-A", "b")).build(),
        sub.toBuilder().metadata(Map.of()).build(),
        sub.toBuilder().createdAt(T0.minus(Duration.ofDays(1))).build(),
        sub.toBuilder().updatedAt(T0.plusSeconds(1)).build(),
        sub.toBuilder().secretLastRotatedAt(T0.plusSeconds(1)).build(),
        sub.toBuilder().lastDeliveredAt(T0).build(),
        sub.toBuilder().enabled(false).disabledReason(DisabledReason.MANUAL).build());
    for (Subscription variant : variants) {
      assertNotEquals(sub, variant, variant.toString());
    }
  }

  @Test
  void toString_neverContainsHeaderOrMetadataValues() {
    Subscription sub = subscription().toBuilder()
        .url(URI.create("https://example.com/webhook?token=qu3ry-s3cr3t")).build();
    String text = sub.toString();
    assertFalse(text.contains(SECRET_VALUE), text);
    assertFalse(text.contains("s3cr3t"), text);
    assertFalse(text.contains(SECRET_META), text);
    assertFalse(text.contains("acme"), text);
    assertTrue(text.contains("Authorization=<redacted>"), text);
    assertTrue(text.contains("team=<redacted>"), text);
    assertTrue(text.contains(ID.toString()), text);
    assertTrue(text.contains("https://example.com/webhook?<redacted>"), text);
  }

  @Test
  void headers_copiedAndUnmodifiable() {
    Map<String, String> headers = new HashMap<>(Map.of("X-A", "1"));
    Subscription sub = subscription().toBuilder().headers(headers).build();
    headers.put("X-B", "2");
    assertEquals(Map.of("X-A", "1"), sub.headers());
    assertThrows(UnsupportedOperationException.class, () -> sub.headers().put("X-C", "3"));
    assertThrows(UnsupportedOperationException.class, () -> sub.metadata().put("k", "v"));
  }

  @Test
  void setters_null_throwNpe() {
    Subscription.Builder b = Subscription.builder();
    assertThrows(NullPointerException.class, () -> b.id(null));
    assertThrows(NullPointerException.class, () -> b.url(null));
    assertThrows(NullPointerException.class, () -> b.filters(null));
    assertThrows(NullPointerException.class, () -> b.description(null));
    assertThrows(NullPointerException.class, () -> b.headers(null));
    assertThrows(NullPointerException.class, () -> b.metadata(null));
    Map<String, String> nullValue = new HashMap<>();
    nullValue.put("X-A", null);
    assertThrows(NullPointerException.class, () -> b.headers(nullValue));
    assertThrows(NullPointerException.class, () -> b.createdAt(null));
    assertThrows(NullPointerException.class, () -> b.updatedAt(null));
    assertThrows(NullPointerException.class, () -> b.secretLastRotatedAt(null));
    assertThrows(NullPointerException.class, () -> b.from(null));
  }

  @Test
  void tenantId_malformed_throwsValidationException() {
    WebhookValidationException e = assertThrows(WebhookValidationException.class,
        () -> Subscription.builder().tenantId("acme corp"));
    assertEquals(ErrorCode.INVALID_TENANT, e.code());
  }

  @Test
  void lastDeliveredAtAndDisabledReason_nullClears() {
    Subscription sub = subscription().toBuilder()
        .lastDeliveredAt(T0).enabled(false).disabledReason(DisabledReason.MANUAL).build();
    Subscription cleared = sub.toBuilder()
        .lastDeliveredAt(null).disabledReason(null).enabled(true).build();
    assertEquals(Optional.empty(), cleared.lastDeliveredAt());
    assertEquals(Optional.empty(), cleared.disabledReason());
  }

  @Test
  void validatedSubscription_toStringRedactsAndMapsAreCopies() {
    Map<String, String> headers = new LinkedHashMap<>(Map.of("Authorization", SECRET_VALUE));
    ValidatedSubscription v = new ValidatedSubscription(
        URI.create("https://example.com/h?t=s3cr3t"), CATALOG.filters(List.of("*")), "", true,
        headers, Map.of("k", SECRET_META));
    headers.put("X-Late", "1");
    assertEquals(Map.of("Authorization", SECRET_VALUE), v.headers());
    assertFalse(v.toString().contains("s3cr3t"), v.toString());
    assertFalse(v.toString().contains(SECRET_META), v.toString());
    assertThrows(NullPointerException.class, () -> new ValidatedSubscription(null,
        CATALOG.filters(List.of("*")), "", true, Map.of(), Map.of()));
    assertThrows(NullPointerException.class, () -> new ValidatedSubscription(v.url(),
        v.filters(), null, true, Map.of(), Map.of()));
  }
}
