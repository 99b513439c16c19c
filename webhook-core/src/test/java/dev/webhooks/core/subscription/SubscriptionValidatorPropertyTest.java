package dev.webhooks.core.subscription;

import static dev.webhooks.core.subscription.Fixtures.VALIDATOR;
import static dev.webhooks.core.subscription.Fixtures.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

/** Whatever the input, validation answers with the field's own exception, or a clean value. */
class SubscriptionValidatorPropertyTest {
  /** Marks generated header and metadata values, so a message that echoes one is caught. */
  private static final String MARK = "VAL~";

  @Property(tries = 1000)
  void validate_randomHeaders_acceptsCleanOrThrowsInvalidHeaders(
      @ForAll("headerEntries") List<String[]> entries) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (String[] entry : entries) {
      headers.put(entry[0], entry[1]);
    }
    ValidatedSubscription v;
    try {
      v = VALIDATOR.validate(spec().headers(headers).build());
    } catch (WebhookValidationException e) {
      assertEquals(ErrorCode.INVALID_HEADERS, e.code(), e.getMessage());
      assertTrue(e.field().orElse("").startsWith("headers"), e.getMessage());
      assertFalse(e.getMessage().contains(MARK), e.getMessage());
      Statistics.collect("refused");
      return;
    }
    Statistics.collect(v.headers().isEmpty() ? "accepted, none" : "accepted, some");
    assertTrue(v.headers().size() <= SubscriptionValidator.MAX_HEADERS);
    for (Map.Entry<String, String> header : v.headers().entrySet()) {
      String value = header.getValue();
      assertNotNull(value);
      assertFalse(value.contains("\r") || value.contains("\n") || value.contains("\0"), value);
      assertTrue(value.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c <= 0x7e)), value);
      assertTrue(HeaderRules.isToken(header.getKey()), header.getKey());
      assertFalse(header.getKey().toLowerCase(Locale.ROOT).startsWith("webhook-"));
    }
  }

  /** Keeps the generators honest: both outcomes, and accepted maps that are not empty. */
  @Property(tries = 1000)
  @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
  void headerEntries_generateBothOutcomes(@ForAll("headerEntries") List<String[]> entries) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (String[] entry : entries) {
      headers.put(entry[0], entry[1]);
    }
    String outcome;
    try {
      outcome = VALIDATOR.validate(spec().headers(headers).build()).headers().isEmpty()
          ? "accepted, none" : "accepted, some";
    } catch (WebhookValidationException e) {
      outcome = "refused";
    }
    Statistics.collect(outcome);
    Statistics.coverage(coverage -> {
      coverage.check("refused").percentage(p -> p > 20);
      coverage.check("accepted, some").percentage(p -> p > 20);
    });
  }

  @Provide
  Arbitrary<List<String[]>> headerEntries() {
    Arbitrary<String> names = Arbitraries.frequencyOf(
        Tuple.of(12, Arbitraries.strings().withChars("abcXYZ-_!#09")
            .ofMinLength(1).ofMaxLength(70)),
        Tuple.of(3, Arbitraries.of(
            "Host", "Content-Type", "te", "Webhook-Id", "svix-signature", "Proxy-X",
            "X-Signature", "Stripe-Signature", "X-Hub-Signature-256", "User-Agent",
            "Authorization", "X-Api-Key", "X-Tenant")
            .flatMap(SubscriptionValidatorPropertyTest::randomCase)),
        Tuple.of(2, Arbitraries.strings().ofMaxLength(12)),
        Tuple.of(1, Arbitraries.just((String) null)));
    Arbitrary<String> values = Arbitraries.frequencyOf(
        Tuple.of(20, Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(30)
            .map(s -> MARK + s)),
        Tuple.of(4, Arbitraries.strings().withChars("a \t\r\n\0é\u007f\u0085")
            .ofMaxLength(8).map(s -> MARK + s)),
        Tuple.of(1, Arbitraries.integers().between(1015, 1025)
            .map(n -> MARK + "v".repeat(n))),
        Tuple.of(2, Arbitraries.strings().ofMaxLength(20).map(s -> MARK + s)),
        Tuple.of(1, Arbitraries.just((String) null)));
    Arbitrary<List<String[]>> messy = Combinators.combine(names, values)
        .as((n, v) -> new String[] {n, v}).list().ofMaxSize(24);
    // Mostly clean maps, so that acceptance is well exercised too: only the size, a long or
    // repeated name can fail them.
    Arbitrary<String[]> clean = Combinators.combine(
        Arbitraries.strings().withChars("abcXYZ-_!#09").ofMinLength(1).ofMaxLength(66),
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(30).map(s -> MARK + s))
        .as((n, v) -> new String[] {n, v});
    return Arbitraries.frequencyOf(
        Tuple.of(1, messy),
        Tuple.of(1, clean.list().ofMaxSize(22)));
  }

  private static Arbitrary<String> randomCase(String name) {
    return Arbitraries.integers().map(bits -> {
      StringBuilder out = new StringBuilder(name.length());
      for (int i = 0; i < name.length(); i++) {
        char c = name.charAt(i);
        out.append(((bits >> (i % 31)) & 1) == 0 ? Character.toLowerCase(c)
            : Character.toUpperCase(c));
      }
      return out.toString();
    });
  }

  @Property(tries = 500)
  void validate_randomDescription_acceptsCleanOrThrowsInvalidDescription(
      @ForAll("descriptions") String description) {
    ValidatedSubscription v;
    try {
      v = VALIDATOR.validate(spec().description(description).build());
    } catch (WebhookValidationException e) {
      assertEquals(ErrorCode.INVALID_DESCRIPTION, e.code(), e.getMessage());
      assertEquals("description", e.field().orElseThrow());
      Statistics.collect("refused");
      return;
    }
    Statistics.collect("accepted");
    String d = v.description();
    assertEquals(d.strip(), d);
    assertTrue(d.codePointCount(0, d.length()) <= SubscriptionValidator.MAX_DESCRIPTION);
    assertTrue(d.codePoints().noneMatch(Character::isISOControl), d);
  }

  @Provide
  Arbitrary<String> descriptions() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(210),
        Arbitraries.strings().withChars("ab \t\r\n\0é\uD83D\uDE00").ofMaxLength(210),
        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(195).ofMaxLength(205));
  }

  @Property(tries = 500)
  void validate_randomMetadata_acceptsOrThrowsInvalidMetadata(
      @ForAll("metadataEntries") List<String[]> entries) {
    Map<String, String> metadata = new LinkedHashMap<>();
    for (String[] entry : entries) {
      metadata.put(entry[0], entry[1]);
    }
    ValidatedSubscription v;
    try {
      v = VALIDATOR.validate(spec().metadata(metadata).build());
    } catch (WebhookValidationException e) {
      assertEquals(ErrorCode.INVALID_METADATA, e.code(), e.getMessage());
      assertTrue(e.field().orElse("").startsWith("metadata"), e.getMessage());
      assertFalse(e.getMessage().contains(MARK), e.getMessage());
      Statistics.collect("refused");
      return;
    }
    Statistics.collect("accepted");
    assertTrue(v.metadata().size() <= SubscriptionValidator.MAX_METADATA);
    v.metadata().forEach((key, value) -> {
      assertTrue(key.matches("[A-Za-z0-9_.:-]{1,64}"), key);
      assertTrue(value.length() <= SubscriptionValidator.MAX_METADATA_VALUE);
    });
  }

  @Provide
  Arbitrary<List<String[]>> metadataEntries() {
    Arbitrary<String> keys = Arbitraries.oneOf(
        Arbitraries.strings().withChars("aZ09_.:-").ofMinLength(1).ofMaxLength(66),
        Arbitraries.strings().ofMaxLength(8),
        Arbitraries.just((String) null));
    Arbitrary<String> values = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(20).map(s -> MARK + s),
        Arbitraries.integers().between(505, 512).map(n -> MARK + "m".repeat(n)),
        Arbitraries.just((String) null));
    Arbitrary<String[]> clean = Combinators.combine(
        Arbitraries.strings().withChars("aZ09_.:-").ofMinLength(1).ofMaxLength(66),
        Arbitraries.strings().ofMaxLength(20).map(s -> MARK + s))
        .as((k, v) -> new String[] {k, v});
    return Arbitraries.frequencyOf(
        Tuple.of(1, Combinators.combine(keys, values).as((k, v) -> new String[] {k, v})
            .list().ofMaxSize(55)),
        Tuple.of(1, clean.list().ofMaxSize(52)));
  }
}
