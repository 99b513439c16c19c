package dev.webhooks.core.subscription;

import static dev.webhooks.core.ErrorCode.INVALID_DESCRIPTION;
import static dev.webhooks.core.ErrorCode.INVALID_EVENTS;
import static dev.webhooks.core.ErrorCode.INVALID_HEADERS;
import static dev.webhooks.core.ErrorCode.INVALID_METADATA;
import static dev.webhooks.core.ErrorCode.INVALID_TENANT;
import static dev.webhooks.core.ErrorCode.INVALID_URL;
import static dev.webhooks.core.ErrorCode.MISSING_REQUIRED_FIELD;
import static dev.webhooks.core.subscription.Fixtures.CATALOG;
import static dev.webhooks.core.subscription.Fixtures.SECRET_META;
import static dev.webhooks.core.subscription.Fixtures.SECRET_VALUE;
import static dev.webhooks.core.subscription.Fixtures.VALIDATOR;
import static dev.webhooks.core.subscription.Fixtures.repeat;
import static dev.webhooks.core.subscription.Fixtures.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import dev.webhooks.core.url.UrlPolicy;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SubscriptionValidatorTest {
  /** 200 code points, 400 UTF-16 chars. */
  private static final String EMOJI_200 = "\uD83D\uDE00".repeat(200);

  private static Map<String, String> headers(int count) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      headers.put("X-Custom-" + i, "v" + i);
    }
    return headers;
  }

  private static Map<String, String> metadata(int count) {
    Map<String, String> metadata = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      metadata.put("key" + i, "v" + i);
    }
    return metadata;
  }

  private static Map<String, String> mapOf(String key, String value) {
    Map<String, String> map = new LinkedHashMap<>();
    map.put(key, value);
    return map;
  }

  private static Arguments ok(String name, UnaryOperator<SubscriptionSpec.Builder> change) {
    return arguments(named(name, change.apply(spec()).build()));
  }

  private static Arguments bad(String name, UnaryOperator<SubscriptionSpec.Builder> change,
      ErrorCode code, String field) {
    return arguments(named(name, change.apply(spec()).build()), code, field);
  }

  static Stream<Arguments> validSpecs() {
    return Stream.of(
        ok("the seed's example", b -> b),
        ok("no description", b -> b.description(null)),
        ok("empty description", b -> b.description("")),
        ok("description of 200 chars", b -> b.description(repeat('d', 200))),
        ok("description of 200 emoji (code points)", b -> b.description(EMOJI_200)),
        ok("description with surrounding whitespace", b -> b.description("\n  Prod  \t\r\n")),
        ok("description with accents", b -> b.description("Intégration équipe données")),
        ok("disabled", b -> b.enabled(false)),
        ok("every event", b -> b.events("*")),
        ok("a prefix", b -> b.events("survey.*")),
        ok("a declared type", b -> b.events("proof_pack.sealed")),
        ok("url with port and query", b -> b.url("https://hooks.example.com:8443/in?x=1")),
        ok("20 headers", b -> b.headers(headers(20))),
        ok("Authorization", b -> b.header("Authorization", SECRET_VALUE)),
        ok("application headers", b -> b.header("X-Api-Key", "k").header("X-Tenant", "acme")),
        ok("name of 64 chars", b -> b.header(repeat('h', 64), "v")),
        ok("name of every tchar", b -> b.header("X!#$%&'*+-.^_`|~09az", "v")),
        ok("names near reserved ones", b -> b.header("X-Webhook-Id", "1").header("Webhooks", "2")
            .header("Proxy", "3").header("Hosts", "4").header("X-Signature-Old", "5")
            .header("Signature", "6")),
        ok("value of 1024 chars", b -> b.header("X-Long", repeat('v', 1024))),
        ok("value with space and tab", b -> b.header("X-Spaced", " a\tb ")),
        ok("empty value", b -> b.header("X-Empty", "")),
        ok("value of every visible char", b -> b.header("X-Visible", visibleAscii())),
        ok("50 metadata entries", b -> b.metadata(metadata(50))),
        ok("key of 64 chars", b -> b.metadata(repeat('k', 64), "v")),
        ok("key of every allowed char", b -> b.metadata("aZ09_.:-", "v")),
        ok("value of 512 chars", b -> b.metadata("plan", repeat('m', 512))),
        ok("empty metadata value", b -> b.metadata("plan", "")),
        ok("metadata value with newline and accents", b -> b.metadata("note", "é\nü")));
  }

  private static String visibleAscii() {
    StringBuilder out = new StringBuilder();
    for (char c = 0x21; c <= 0x7e; c++) {
      out.append(c);
    }
    return out.toString();
  }

  static Stream<Arguments> invalidSpecs() {
    return Stream.of(
        // url
        bad("url null", b -> b.url(null), MISSING_REQUIRED_FIELD, "url"),
        bad("url empty", b -> b.url(""), MISSING_REQUIRED_FIELD, "url"),
        bad("url blank", b -> b.url(" \t "), MISSING_REQUIRED_FIELD, "url"),
        bad("url http", b -> b.url("http://example.com/webhook"), INVALID_URL, "url"),
        bad("url loopback", b -> b.url("https://127.0.0.1/x"), INVALID_URL, "url"),
        bad("url metadata", b -> b.url("https://169.254.169.254/latest"), INVALID_URL, "url"),
        bad("url odd ipv4", b -> b.url("https://2130706433/"), INVALID_URL, "url"),
        bad("url localhost", b -> b.url("https://localhost/x"), INVALID_URL, "url"),
        bad("url not a url", b -> b.url("not a url"), INVALID_URL, "url"),
        // events
        bad("events unset", b -> b.events((List<String>) null), MISSING_REQUIRED_FIELD, "events"),
        bad("events empty", b -> b.events(List.of()), MISSING_REQUIRED_FIELD, "events"),
        bad("unknown event", b -> b.events("lookup.complete"), INVALID_EVENTS, "events[0]"),
        bad("null event", b -> b.events("lookup.completed", null), INVALID_EVENTS, "events[1]"),
        bad("prefix of nothing", b -> b.events("credits.low", "nope.*"), INVALID_EVENTS,
            "events[1]"),
        bad("bad wildcard", b -> b.events("survey*"), INVALID_EVENTS, "events[0]"),
        // description
        bad("description of 201 chars", b -> b.description(repeat('d', 201)),
            INVALID_DESCRIPTION, "description"),
        bad("description of 201 emoji", b -> b.description(EMOJI_200 + "\uD83D\uDE00"),
            INVALID_DESCRIPTION, "description"),
        bad("description with CR", b -> b.description("a\rb"), INVALID_DESCRIPTION,
            "description"),
        bad("description with LF", b -> b.description("a\nb"), INVALID_DESCRIPTION,
            "description"),
        bad("description with TAB", b -> b.description("a\tb"), INVALID_DESCRIPTION,
            "description"),
        bad("description with NUL", b -> b.description("a\0b"), INVALID_DESCRIPTION,
            "description"),
        bad("description with ESC", b -> b.description("a\u001b[31mb"), INVALID_DESCRIPTION,
            "description"),
        bad("description with DEL", b -> b.description("a\u007fb"), INVALID_DESCRIPTION,
            "description"),
        bad("description with NEL", b -> b.description("a\u0085b"), INVALID_DESCRIPTION,
            "description"),
        // headers: count and names
        bad("21 headers", b -> b.headers(headers(21)), INVALID_HEADERS, "headers"),
        bad("null name", b -> b.headers(mapOf(null, "v")), INVALID_HEADERS, "headers"),
        bad("empty name", b -> b.header("", "v"), INVALID_HEADERS, "headers"),
        bad("name of 65 chars", b -> b.header(repeat('h', 65), "v"), INVALID_HEADERS,
            "headers"),
        bad("name with space", b -> b.header("X Api", "v"), INVALID_HEADERS, "headers"),
        bad("name with colon", b -> b.header("X-Api:", "v"), INVALID_HEADERS, "headers"),
        bad("name with CRLF", b -> b.header("X-Api\r\nHost", "v"), INVALID_HEADERS, "headers"),
        bad("name with NUL", b -> b.header("X-Api\0", "v"), INVALID_HEADERS, "headers"),
        bad("name non-ASCII", b -> b.header("X-Ümlaut", "v"), INVALID_HEADERS, "headers"),
        bad("name with quote", b -> b.header("X-\"q\"", "v"), INVALID_HEADERS, "headers"),
        // headers: values
        bad("null value", b -> b.header("X-Api-Key", null), INVALID_HEADERS,
            "headers.X-Api-Key"),
        bad("value of 1025 chars", b -> b.header("X-Api-Key", repeat('v', 1025)),
            INVALID_HEADERS, "headers.X-Api-Key"),
        bad("value with CR", b -> b.header("X-Api-Key", "a\rb"), INVALID_HEADERS,
            "headers.X-Api-Key"),
        bad("value with LF", b -> b.header("X-Api-Key", "a\nb"), INVALID_HEADERS,
            "headers.X-Api-Key"),
        bad("value with CRLF injection", b -> b.header("X-Api-Key", "k\r\nHost: evil.test"),
            INVALID_HEADERS, "headers.X-Api-Key"),
        bad("value with NUL", b -> b.header("X-Api-Key", "a\0b"), INVALID_HEADERS,
            "headers.X-Api-Key"),
        bad("value non-ASCII", b -> b.header("X-Api-Key", "clé"), INVALID_HEADERS,
            "headers.X-Api-Key"),
        bad("value with DEL", b -> b.header("X-Api-Key", "a\u007fb"), INVALID_HEADERS,
            "headers.X-Api-Key"),
        bad("value with vertical tab", b -> b.header("X-Api-Key", "a\u000bb"), INVALID_HEADERS,
            "headers.X-Api-Key"),
        bad("bad value after good headers", b -> b.header("X-A", "1").header("X-B", "2\n"),
            INVALID_HEADERS, "headers.X-B"),
        // headers: reserved and duplicates
        bad("reserved Host", b -> b.header("Host", "evil.test"), INVALID_HEADERS,
            "headers.Host"),
        bad("reserved in other case", b -> b.header("cOnTeNt-TyPe", "text/plain"),
            INVALID_HEADERS, "headers.cOnTeNt-TyPe"),
        bad("reserved webhook- prefix", b -> b.header("Webhook-Signature", "v1,x"),
            INVALID_HEADERS, "headers.Webhook-Signature"),
        bad("reserved svix- prefix", b -> b.header("svix-id", "msg_1"), INVALID_HEADERS,
            "headers.svix-id"),
        bad("reserved proxy- prefix", b -> b.header("Proxy-Anything", "x"), INVALID_HEADERS,
            "headers.Proxy-Anything"),
        bad("reserved signature header", b -> b.header("X-Hub-Signature-256", "sha256=x"),
            INVALID_HEADERS, "headers.X-Hub-Signature-256"),
        bad("duplicate in other case", b -> b.header("X-Api-Key", "a").header("x-api-key", "b"),
            INVALID_HEADERS, "headers.x-api-key"),
        bad("duplicate in upper case", b -> b.header("Authorization", "a")
            .header("AUTHORIZATION", "b"), INVALID_HEADERS, "headers.AUTHORIZATION"),
        // metadata
        bad("51 metadata entries", b -> b.metadata(metadata(51)), INVALID_METADATA, "metadata"),
        bad("null key", b -> b.metadata(mapOf(null, "v")), INVALID_METADATA, "metadata"),
        bad("empty key", b -> b.metadata("", "v"), INVALID_METADATA, "metadata"),
        bad("key of 65 chars", b -> b.metadata(repeat('k', 65), "v"), INVALID_METADATA,
            "metadata"),
        bad("key with space", b -> b.metadata("a b", "v"), INVALID_METADATA, "metadata"),
        bad("key with slash", b -> b.metadata("a/b", "v"), INVALID_METADATA, "metadata"),
        bad("key with equals", b -> b.metadata("a=b", "v"), INVALID_METADATA, "metadata"),
        bad("key non-ASCII", b -> b.metadata("clé", "v"), INVALID_METADATA, "metadata"),
        bad("key with newline", b -> b.metadata("a\nb", "v"), INVALID_METADATA, "metadata"),
        bad("null value", b -> b.metadata("plan", null), INVALID_METADATA, "metadata.plan"),
        bad("value of 513 chars", b -> b.metadata("plan", repeat('m', 513)), INVALID_METADATA,
            "metadata.plan"));
  }

  @ParameterizedTest
  @MethodSource("validSpecs")
  void validate_validSpec_accepted(SubscriptionSpec spec) {
    ValidatedSubscription v = VALIDATOR.validate(spec);
    assertEquals(spec.enabled(), v.enabled());
    assertEquals(spec.headers(), v.headers());
    assertEquals(spec.metadata(), v.metadata());
  }

  @ParameterizedTest
  @MethodSource("invalidSpecs")
  void validate_invalidSpec_throwsCodeAndField(SubscriptionSpec spec, ErrorCode code,
      String field) {
    WebhookValidationException e =
        assertThrows(WebhookValidationException.class, () -> VALIDATOR.validate(spec));
    assertEquals(code, e.code(), e.getMessage());
    assertEquals(field, e.field().orElse(null), e.getMessage());
    assertFalse(e.getMessage().isBlank());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "Host", "Content-Type", "Content-Length", "Content-Encoding", "Transfer-Encoding",
      "Connection", "Keep-Alive", "Upgrade", "TE", "Trailer", "Expect", "User-Agent",
      "Proxy-Authorization", "Proxy-Connection", "proxy-x",
      "webhook-id", "Webhook-Timestamp", "WEBHOOK-SIGNATURE", "webhook-anything",
      "svix-id", "Svix-Timestamp", "SVIX-SIGNATURE",
      "X-Signature", "Stripe-Signature", "X-Hub-Signature", "X-Hub-Signature-256",
      "HOST", "content-length", "x-hub-signature-256"})
  void validate_reservedHeader_invalidHeaders(String name) {
    WebhookValidationException e = assertThrows(WebhookValidationException.class,
        () -> VALIDATOR.validate(spec().header(name, "x").build()));
    assertEquals(INVALID_HEADERS, e.code());
    assertEquals("headers." + name, e.field().orElseThrow());
    assertTrue(e.getMessage().contains("reserved"), e.getMessage());
  }

  @Test
  void validate_crlfInHeaderValue_invalidHeaders() {
    WebhookValidationException e = assertThrows(WebhookValidationException.class,
        () -> VALIDATOR.validate(spec().header("Authorization", SECRET_VALUE + "\r\nX: y")
            .build()));
    assertEquals(INVALID_HEADERS, e.code());
    assertEquals("headers.Authorization", e.field().orElseThrow());
    assertTrue(e.getMessage().contains("carriage return"), e.getMessage());
  }

  // --- first error wins, in field order ------------------------------------------------------

  @Test
  void validate_badUrlAndDescription_reportsUrl() {
    SubscriptionSpec spec = spec().url("http://example.com/x").description("a\nb").build();
    assertEquals("url", fieldOf(spec));
  }

  @Test
  void validate_everythingBad_reportsUrl() {
    SubscriptionSpec spec = SubscriptionSpec.builder()
        .description(repeat('d', 201)).header("Host", "x").metadata("", "v").build();
    WebhookValidationException e = assertThrows(WebhookValidationException.class,
        () -> VALIDATOR.validate(spec));
    assertEquals(MISSING_REQUIRED_FIELD, e.code());
    assertEquals("url", e.field().orElseThrow());
  }

  @Test
  void validate_badEventsAndDescription_reportsEvents() {
    assertEquals("events[0]",
        fieldOf(spec().events("nope").description(repeat('d', 201)).build()));
  }

  @Test
  void validate_badDescriptionAndHeaders_reportsDescription() {
    assertEquals("description",
        fieldOf(spec().description("a\0").header("Host", "x").build()));
  }

  @Test
  void validate_badHeadersAndMetadata_reportsHeaders() {
    assertEquals("headers.Host", fieldOf(spec().header("Host", "x").metadata("", "v").build()));
  }

  @Test
  void validate_badHeaderLaterInOrder_reportsFirstInInsertionOrder() {
    assertEquals("headers.X-First", fieldOf(spec()
        .header("X-Ok", "1").header("X-First", "\n").header("Host", "x").build()));
  }

  private static String fieldOf(SubscriptionSpec spec) {
    return assertThrows(WebhookValidationException.class, () -> VALIDATOR.validate(spec))
        .field().orElseThrow();
  }

  // --- normalisation --------------------------------------------------------------------------

  @Test
  void validate_url_normalisedByPolicy() {
    ValidatedSubscription v =
        VALIDATOR.validate(spec().url("HTTPS://Hooks.Example.COM./in?x=1").build());
    assertEquals(URI.create("https://hooks.example.com/in?x=1"), v.url());
  }

  @Test
  void validate_eventsWithStar_normalisedToStar() {
    ValidatedSubscription v =
        VALIDATOR.validate(spec().events("lookup.completed", "*").build());
    assertEquals(List.of("*"), v.filters().toWireForm());
    assertTrue(v.filters().matchesAll());
  }

  @Test
  void validate_eventsCoveredByPrefix_dropped() {
    ValidatedSubscription v = VALIDATOR.validate(spec()
        .events("survey.response.created", "lookup.completed", "survey.*", "lookup.completed")
        .build());
    assertEquals(List.of("lookup.completed", "survey.*"), v.filters().toWireForm());
  }

  @Test
  void validate_description_stripped() {
    assertEquals("Production webhook",
        VALIDATOR.validate(spec().description("  Production webhook \n").build()).description());
  }

  @Test
  void validate_noOrBlankDescription_empty() {
    assertEquals("", VALIDATOR.validate(spec().description(null).build()).description());
    assertEquals("", VALIDATOR.validate(spec().description(" \t\n ").build()).description());
  }

  @Test
  void validate_descriptionOf200AfterStripping_accepted() {
    String description = "  " + repeat('d', 200) + "  ";
    assertEquals(200, VALIDATOR.validate(spec().description(description).build())
        .description().length());
  }

  @Test
  void validate_headersAndMetadata_keepOrderAndAreUnmodifiable() {
    ValidatedSubscription v = VALIDATOR.validate(spec()
        .header("X-Zeta", "1").header("Authorization", SECRET_VALUE).header("X-Alpha", "3")
        .metadata("z", "1").metadata("a", "2").metadata("m", "3")
        .build());
    assertEquals(List.of("X-Zeta", "Authorization", "X-Alpha"),
        new ArrayList<>(v.headers().keySet()));
    assertEquals(List.of("z", "a", "m"), new ArrayList<>(v.metadata().keySet()));
    assertThrows(UnsupportedOperationException.class, () -> v.headers().put("X", "y"));
    assertThrows(UnsupportedOperationException.class, () -> v.metadata().clear());
  }

  @Test
  void validate_disabledSpec_staysDisabled() {
    assertFalse(VALIDATOR.validate(spec().enabled(false).build()).enabled());
    assertTrue(VALIDATOR.validate(spec().build()).enabled());
  }

  // --- messages ---------------------------------------------------------------------------------

  @Test
  void validate_badHeaderValue_messageNeverEchoesValue() {
    for (String value : List.of(SECRET_VALUE + "\n", SECRET_VALUE + "é",
        SECRET_VALUE + repeat('x', 1024))) {
      WebhookValidationException e = assertThrows(WebhookValidationException.class,
          () -> VALIDATOR.validate(spec().header("Authorization", value).build()));
      assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
      assertTrue(e.getMessage().contains("\"Authorization\""), e.getMessage());
    }
  }

  @Test
  void validate_badHeader_messageNeverEchoesOtherValues() {
    WebhookValidationException e = assertThrows(WebhookValidationException.class,
        () -> VALIDATOR.validate(spec().header("X-Api-Key", SECRET_VALUE).header("Host", "x")
            .header("x-api-key", SECRET_VALUE).build()));
    assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
  }

  @Test
  void validate_badMetadataValue_messageNeverEchoesValue() {
    WebhookValidationException e = assertThrows(WebhookValidationException.class,
        () -> VALIDATOR.validate(spec().metadata("plan", SECRET_META + repeat('x', 512))
            .build()));
    assertEquals("metadata.plan", e.field().orElseThrow());
    assertFalse(e.getMessage().contains(SECRET_META), e.getMessage());
  }

  @Test
  void validate_badUrl_messageNeverEchoesQuery() {
    WebhookValidationException e = assertThrows(WebhookValidationException.class,
        () -> VALIDATOR.validate(spec().url("https://127.0.0.1/hook?token=s3cr3t").build()));
    assertEquals(INVALID_URL, e.code());
    assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
  }

  @Test
  void validate_longHeaderName_quotesAtMost64Chars() {
    String name = "X-" + repeat('n', 5000);
    WebhookValidationException e = assertThrows(WebhookValidationException.class,
        () -> VALIDATOR.validate(spec().header(name, "v").build()));
    assertTrue(e.getMessage().length() < 300, e.getMessage());
    assertTrue(e.getMessage().contains("5002 characters"), e.getMessage());
  }

  @Test
  void validate_controlCharInMetadataKey_escapedInMessage() {
    WebhookValidationException e = assertThrows(WebhookValidationException.class,
        () -> VALIDATOR.validate(spec().metadata("a\u001b[2Jb", "v").build()));
    assertFalse(e.getMessage().contains("\u001b"), e.getMessage());
    assertTrue(e.getMessage().contains("\\u001b"), e.getMessage());
  }

  @Test
  void validate_headersCount_messageSaysLimit() {
    WebhookValidationException e = assertThrows(WebhookValidationException.class,
        () -> VALIDATOR.validate(spec().headers(headers(21)).build()));
    assertTrue(e.getMessage().contains("20") && e.getMessage().contains("21"), e.getMessage());
  }

  // --- construction ---------------------------------------------------------------------------

  @Test
  void constructor_extraReservedHeaders_refusedCaseInsensitively() {
    SubscriptionValidator validator =
        new SubscriptionValidator(CATALOG, UrlPolicy.strict(), Set.of("X-Acme-Signature"));
    WebhookValidationException e = assertThrows(WebhookValidationException.class,
        () -> validator.validate(spec().header("x-acme-SIGNATURE", "x").build()));
    assertEquals(INVALID_HEADERS, e.code());
    assertEquals("headers.x-acme-SIGNATURE", e.field().orElseThrow());
    // The built-in ones still apply, and the default validator allows the extra name.
    assertThrows(WebhookValidationException.class,
        () -> validator.validate(spec().header("Host", "x").build()));
    VALIDATOR.validate(spec().header("X-Acme-Signature", "x").build());
  }

  @Test
  void constructor_nullArguments_throwNpe() {
    assertThrows(NullPointerException.class,
        () -> new SubscriptionValidator(null, UrlPolicy.strict()));
    assertThrows(NullPointerException.class, () -> new SubscriptionValidator(CATALOG, null));
    assertThrows(NullPointerException.class,
        () -> new SubscriptionValidator(CATALOG, UrlPolicy.strict(), null));
    Set<String> withNull = new HashSet<>(Arrays.asList("X-A", null));
    assertThrows(NullPointerException.class,
        () -> new SubscriptionValidator(CATALOG, UrlPolicy.strict(), withNull));
  }

  @Test
  void constructor_reservedHeaderNotAToken_throwsIae() {
    assertThrows(IllegalArgumentException.class,
        () -> new SubscriptionValidator(CATALOG, UrlPolicy.strict(), Set.of("X Bad")));
  }

  @Test
  void validate_nullSpec_throwsNpe() {
    assertThrows(NullPointerException.class, () -> VALIDATOR.validate(null));
  }

  @Test
  void validate_sameSpecTwice_equalResults() {
    SubscriptionSpec spec = spec().header("Authorization", SECRET_VALUE).build();
    assertEquals(VALIDATOR.validate(spec), VALIDATOR.validate(spec));
  }

  // --- tenant ids -----------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"tenant_42", "a", "acme-corp:eu.1", "user@example.com", "T|~!{}",
      "6f1c1a9e-2b7d-4c33-9a0e-3d1f7b2c8e41"})
  void requireTenantId_valid_returnsIt(String tenantId) {
    assertSame(tenantId, SubscriptionValidator.requireTenantId(tenantId));
  }

  @Test
  void requireTenantId_128Chars_accepted() {
    String tenantId = repeat('t', 128);
    assertSame(tenantId, SubscriptionValidator.requireTenantId(tenantId));
  }

  @Test
  void requireTenantId_129Chars_invalidTenant() {
    assertTenant(repeat('t', 129), INVALID_TENANT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t\n", "   "})
  void requireTenantId_blank_missingRequiredField(String tenantId) {
    assertTenant(tenantId, MISSING_REQUIRED_FIELD);
  }

  @Test
  void requireTenantId_null_missingRequiredField() {
    assertTenant(null, MISSING_REQUIRED_FIELD);
  }

  @ParameterizedTest
  @ValueSource(strings = {"acme corp", " acme", "acme\t", "a\nb", "a\rb", "a\0b", "a\u007fb",
      "clé", "a\u00a0b", "a\u2003b", "\uD83D\uDE00"})
  void requireTenantId_whitespaceControlOrNonAscii_invalidTenant(String tenantId) {
    assertTenant(tenantId, INVALID_TENANT);
  }

  private static void assertTenant(String tenantId, ErrorCode code) {
    WebhookValidationException e = assertThrows(WebhookValidationException.class,
        () -> SubscriptionValidator.requireTenantId(tenantId));
    assertEquals(code, e.code(), e.getMessage());
    assertEquals("tenant_id", e.field().orElseThrow());
  }
}
