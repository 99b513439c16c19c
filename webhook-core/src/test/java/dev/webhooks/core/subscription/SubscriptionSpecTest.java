package dev.webhooks.core.subscription;

import static dev.webhooks.core.subscription.Fixtures.SECRET_META;
import static dev.webhooks.core.subscription.Fixtures.SECRET_VALUE;
import static dev.webhooks.core.subscription.Fixtures.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SubscriptionSpecTest {
  @Test
  void builder_defaults() {
    SubscriptionSpec spec = SubscriptionSpec.builder().build();
    assertNull(spec.url());
    assertEquals(List.of(), spec.events());
    assertEquals(Optional.empty(), spec.description());
    assertTrue(spec.enabled());
    assertEquals(Map.of(), spec.headers());
    assertEquals(Map.of(), spec.metadata());
  }

  @Test
  void builder_keepsInputAsGiven_nullsIncluded() {
    SubscriptionSpec spec = SubscriptionSpec.builder()
        .url(" not validated ")
        .events("lookup.completed", null)
        .header("X-A", null)
        .metadata("k", null)
        .build();
    assertEquals(" not validated ", spec.url());
    assertEquals(Arrays.asList("lookup.completed", null), spec.events());
    assertTrue(spec.headers().containsKey("X-A"));
    assertNull(spec.headers().get("X-A"));
    assertNull(spec.metadata().get("k"));
  }

  @Test
  void builder_copiesCollections() {
    List<String> events = new ArrayList<>(List.of("lookup.completed"));
    Map<String, String> headers = new LinkedHashMap<>(Map.of("X-A", "1"));
    SubscriptionSpec spec = SubscriptionSpec.builder().events(events).headers(headers).build();
    events.add("apikey.created");
    headers.put("X-B", "2");
    assertEquals(List.of("lookup.completed"), spec.events());
    assertEquals(Map.of("X-A", "1"), spec.headers());
    assertThrows(UnsupportedOperationException.class, () -> spec.events().add("x"));
    assertThrows(UnsupportedOperationException.class, () -> spec.headers().put("X", "y"));
    assertThrows(UnsupportedOperationException.class, () -> spec.metadata().put("x", "y"));
  }

  @Test
  void builder_headersKeepInsertionOrder_andMapSetterReplaces() {
    SubscriptionSpec spec = SubscriptionSpec.builder()
        .header("X-Z", "1").header("X-A", "2").header("X-M", "3").build();
    assertEquals(List.of("X-Z", "X-A", "X-M"), List.copyOf(spec.headers().keySet()));
    SubscriptionSpec replaced = spec.toBuilder().headers(Map.of("X-Only", "1")).build();
    assertEquals(Map.of("X-Only", "1"), replaced.headers());
    assertEquals(Map.of(), spec.toBuilder().headers(null).build().headers());
    assertEquals(Map.of(), spec.toBuilder().metadata(null).build().metadata());
  }

  @Test
  void builder_builtSpecUnaffectedByLaterSetters() {
    SubscriptionSpec.Builder builder = spec().header("X-A", "1");
    SubscriptionSpec first = builder.build();
    builder.header("X-B", "2").metadata("k", "v").url("https://example.org/");
    assertEquals(Map.of("X-A", "1"), first.headers());
    assertEquals(Map.of(), first.metadata());
    assertEquals("https://example.com/webhook", first.url());
  }

  @Test
  void toBuilder_unchanged_equal() {
    SubscriptionSpec spec = spec().header("Authorization", SECRET_VALUE).metadata("k", "v")
        .enabled(false).build();
    assertEquals(spec, spec.toBuilder().build());
    assertEquals(spec.hashCode(), spec.toBuilder().build().hashCode());
    assertFalse(spec.equals(spec.toBuilder().enabled(true).build()));
  }

  @Test
  void toString_redactsHeaderAndMetadataValuesAndQuery() {
    SubscriptionSpec spec = spec()
        .url("https://example.com/webhook?token=qu3ry")
        .header("Authorization", SECRET_VALUE)
        .metadata("team", SECRET_META)
        .build();
    String text = spec.toString();
    assertFalse(text.contains("s3cr3t"), text);
    assertFalse(text.contains(SECRET_META), text);
    assertFalse(text.contains("qu3ry"), text);
    assertTrue(text.contains("Authorization=<redacted>"), text);
    assertTrue(text.contains("team=<redacted>"), text);
    assertTrue(text.contains("lookup.completed"), text);
  }

  @Test
  void events_nullArrayOrList_empty() {
    assertEquals(List.of(), spec().events((String[]) null).build().events());
    assertEquals(List.of(), spec().events((List<String>) null).build().events());
  }
}
