package dev.webhooks.core.subscription;

import static dev.webhooks.core.subscription.Fixtures.SECRET_VALUE;
import static dev.webhooks.core.subscription.Fixtures.VALIDATOR;
import static dev.webhooks.core.subscription.Fixtures.subscription;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SubscriptionPatchTest {
  @Test
  void isEmpty_nothingSet_true() {
    SubscriptionPatch patch = SubscriptionPatch.builder().build();
    assertTrue(patch.isEmpty());
    assertEquals(Optional.empty(), patch.url());
    assertEquals(Optional.empty(), patch.events());
    assertEquals(Optional.empty(), patch.description());
    assertEquals(Optional.empty(), patch.enabled());
    assertEquals(Optional.empty(), patch.headers());
    assertEquals(Optional.empty(), patch.metadata());
  }

  @Test
  void isEmpty_anyFieldSet_false() {
    assertFalse(SubscriptionPatch.builder().url("https://example.org/").build().isEmpty());
    assertFalse(SubscriptionPatch.builder().events("*").build().isEmpty());
    assertFalse(SubscriptionPatch.builder().description("").build().isEmpty());
    assertFalse(SubscriptionPatch.builder().enabled(true).build().isEmpty());
    assertFalse(SubscriptionPatch.builder().headers(Map.of()).build().isEmpty());
    assertFalse(SubscriptionPatch.builder().metadata(Map.of()).build().isEmpty());
  }

  @Test
  void setter_null_unsetsField() {
    SubscriptionPatch patch = SubscriptionPatch.builder()
        .url("https://example.org/").url(null)
        .events("*").events((List<String>) null)
        .description("x").description(null)
        .headers(Map.of()).headers(null)
        .metadata(Map.of()).metadata(null)
        .build();
    assertTrue(patch.isEmpty());
  }

  @Test
  void applyTo_emptyPatch_currentSpec() {
    Subscription current = subscription();
    assertEquals(current.toSpec(), SubscriptionPatch.builder().build().applyTo(current));
  }

  @Test
  void applyTo_keepsUnsetFields_replacesSetOnes() {
    Subscription current = subscription();
    SubscriptionSpec spec = SubscriptionPatch.builder()
        .url("https://new-url.example.com/hook")
        .enabled(false)
        .build()
        .applyTo(current);
    assertEquals("https://new-url.example.com/hook", spec.url());
    assertFalse(spec.enabled());
    assertEquals(current.events(), spec.events());
    assertEquals(Optional.of("Production webhook"), spec.description());
    assertEquals(current.headers(), spec.headers());
    assertEquals(current.metadata(), spec.metadata());
  }

  @Test
  void applyTo_seedPatch_validatesToStar() {
    // EnaFeedback's PATCH:
    // {"url": "https://new-url.example.com/hook", "events": ["*"], "enabled": false}
    SubscriptionSpec spec = SubscriptionPatch.builder()
        .url("https://new-url.example.com/hook").events("*").enabled(false).build()
        .applyTo(subscription());
    ValidatedSubscription v = VALIDATOR.validate(spec);
    assertEquals(URI.create("https://new-url.example.com/hook"), v.url());
    assertEquals(List.of("*"), v.filters().toWireForm());
    assertFalse(v.enabled());
  }

  @Test
  void applyTo_emptyDescription_clearsIt() {
    SubscriptionSpec spec =
        SubscriptionPatch.builder().description("").build().applyTo(subscription());
    assertEquals(Optional.empty(), spec.description());
    assertEquals("", VALIDATOR.validate(spec).description());
  }

  @Test
  void applyTo_description_replacesIt() {
    SubscriptionSpec spec =
        SubscriptionPatch.builder().description("Staging").build().applyTo(subscription());
    assertEquals(Optional.of("Staging"), spec.description());
  }

  @Test
  void applyTo_headers_replaceWholesale() {
    Subscription current = subscription();
    assertEquals(2, current.headers().size());
    SubscriptionSpec spec = SubscriptionPatch.builder()
        .headers(Map.of("X-New", "1")).build().applyTo(current);
    assertEquals(Map.of("X-New", "1"), spec.headers());
    assertEquals(current.metadata(), spec.metadata());
  }

  @Test
  void applyTo_emptyHeadersAndMetadata_removeAll() {
    SubscriptionSpec spec = SubscriptionPatch.builder()
        .headers(Map.of()).metadata(Map.of()).build().applyTo(subscription());
    assertEquals(Map.of(), spec.headers());
    assertEquals(Map.of(), spec.metadata());
  }

  @Test
  void applyTo_metadata_replacesWholesale() {
    SubscriptionSpec spec = SubscriptionPatch.builder()
        .metadata(Map.of("plan", "pro")).build().applyTo(subscription());
    assertEquals(Map.of("plan", "pro"), spec.metadata());
  }

  @Test
  void applyTo_badPatch_refusedByValidator() {
    SubscriptionSpec spec = SubscriptionPatch.builder()
        .events("lookup.completed", "nope").build().applyTo(subscription());
    WebhookValidationException e =
        assertThrows(WebhookValidationException.class, () -> VALIDATOR.validate(spec));
    assertEquals(ErrorCode.INVALID_EVENTS, e.code());
    assertEquals("events[1]", e.field().orElseThrow());
  }

  @Test
  void applyTo_null_throwsNpe() {
    assertThrows(NullPointerException.class,
        () -> SubscriptionPatch.builder().build().applyTo(null));
  }

  @Test
  void toString_redactsValues_listsSetFieldsOnly() {
    SubscriptionPatch patch = SubscriptionPatch.builder()
        .headers(Map.of("Authorization", SECRET_VALUE)).enabled(false).build();
    String text = patch.toString();
    assertEquals("SubscriptionPatch{enabled=false, headers={Authorization=<redacted>}}", text);
    assertEquals("SubscriptionPatch{}", SubscriptionPatch.builder().build().toString());
  }

  @Test
  void equals_sameFields_equal() {
    SubscriptionPatch a = SubscriptionPatch.builder().events("*").enabled(true).build();
    SubscriptionPatch b = SubscriptionPatch.builder().enabled(true).events(List.of("*")).build();
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
  }
}
