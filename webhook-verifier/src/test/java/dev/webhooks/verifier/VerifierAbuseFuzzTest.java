package dev.webhooks.verifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.webhooks.core.secret.Ed25519SigningKey;
import dev.webhooks.core.secret.WebhookSecret;
import dev.webhooks.core.signature.SignatureScheme;
import dev.webhooks.core.signature.WebhookVerificationException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * The verifier under abuse, for every scheme it reads: random headers and bodies, and validly signed
 * requests mutated in body, id, timestamp, signature and header layout. Only {@link
 * WebhookVerificationException} ever escapes; a request is accepted only when what its signature
 * covers (body, signed id, signed timestamp) is exactly that of a message the sender signed; a
 * request signed with another secret never is; and once a message was accepted with a replay guard,
 * no variant of it is accepted again. The figures are printed at the end.
 */
class VerifierAbuseFuzzTest {
  static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);
  static final Duration TOLERANCE = Duration.ofMinutes(5);

  /** How a sender of one scheme signs; the verify-only schemes are signed here with javax.crypto. */
  @FunctionalInterface
  interface Signer {
    Map<String, String> sign(String key, String id, long seconds, byte[] body);
  }

  /**
   * One kind of sender: the scheme, the key it signs with and the key text its receivers configure,
   * whether its id and its timestamp are covered by the signature, and its header names.
   */
  record Sender(String name, SignatureScheme scheme, String signingKey, String verifyingKey, Signer signer,
      boolean signsId, boolean signsTimestamp) {
    Map<String, String> sign(String id, long seconds, byte[] body) {
      return signer.sign(signingKey, id, seconds, body);
    }

    /** A key of the same kind that this sender's receivers do not hold. */
    String otherKey() {
      if (signingKey.startsWith("whsk_")) {
        return Ed25519SigningKey.generate().encoded();
      }
      if (signingKey.startsWith("whsec_")) {
        return WebhookSecret.generate().encoded();
      }
      return "other-" + Long.toHexString(OTHER_KEYS.incrementAndGet() * 0x9E3779B97F4A7C15L);
    }

    /** Keys joined by {@link #KEYS}: a rotating sender signs with each, its receivers hold each. */
    WebhookVerifier verifier(ReplayGuard guard) {
      WebhookVerifier.Builder b = WebhookVerifier.builder().scheme(scheme).tolerance(TOLERANCE)
          .clock(java.time.Clock.fixed(NOW, java.time.ZoneOffset.UTC)).replayGuard(guard);
      for (String key : verifyingKey.split(KEYS)) {
        b.secret(key);
      }
      return b.build();
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static final java.util.concurrent.atomic.AtomicLong OTHER_KEYS = new java.util.concurrent.atomic.AtomicLong();
  static final List<Sender> SENDERS = senders();

  static List<Sender> senders() {
    String swSecret = WebhookSecret.generate().encoded();
    Ed25519SigningKey ed = Ed25519SigningKey.generate();
    String text = "a plain text secret of the sender";
    List<Sender> out = new ArrayList<>();
    out.add(new Sender("standard-webhooks v1", SignatureScheme.standardWebhooks(), swSecret, swSecret,
        schemeSigner(SignatureScheme.standardWebhooks()), true, true));
    out.add(new Sender("standard-webhooks v1a", SignatureScheme.standardWebhooks(), ed.encoded(),
        ed.verifyingKey().encoded(), schemeSigner(SignatureScheme.standardWebhooks()), true, true));
    out.add(new Sender("svix", SignatureScheme.svix(), swSecret, swSecret, schemeSigner(SignatureScheme.svix()),
        true, true));
    out.add(new Sender("standard-webhooks(acme)", SignatureScheme.standardWebhooks("acme"), swSecret, swSecret,
        schemeSigner(SignatureScheme.standardWebhooks("acme")), true, true));
    out.add(new Sender("stripe", SignatureScheme.stripe(), text, text, schemeSigner(SignatureScheme.stripe()),
        false, true));
    // Mid-rotation: every request carries one signature per secret, and the receiver holds both.
    String rotating = text + KEYS + "the next secret of the sender";
    out.add(new Sender("stripe, rotating", SignatureScheme.stripe(), rotating, rotating,
        schemeSigner(SignatureScheme.stripe()), false, true));
    String swRotating = swSecret + KEYS + WebhookSecret.generate().encoded();
    out.add(new Sender("standard-webhooks v1, rotating", SignatureScheme.standardWebhooks(), swRotating, swRotating,
        schemeSigner(SignatureScheme.standardWebhooks()), true, true));
    out.add(new Sender("github", SignatureScheme.github(), text, text, schemeSigner(SignatureScheme.github()),
        false, false));
    out.add(new Sender("hmac-hex", SignatureScheme.hmacHex("X-Signature"), text, text,
        schemeSigner(SignatureScheme.hmacHex("X-Signature")), false, false));
    out.add(new Sender("slack", SignatureScheme.slack(), text, text, (key, id, seconds, body) -> ordered(
        "X-Slack-Request-Timestamp", Long.toString(seconds),
        "X-Slack-Signature", "v0=" + HexFormat.of().formatHex(hmac(key, "v0:" + seconds + ":", body))),
        false, true));
    out.add(new Sender("shopify", SignatureScheme.shopify(), text, text, (key, id, seconds, body) -> ordered(
        "X-Shopify-Webhook-Id", id,
        "X-Shopify-Hmac-Sha256", Base64.getEncoder().encodeToString(hmac(key, "", body))),
        false, false));
    return List.copyOf(out);
  }

  /** Separates the keys of a rotating sender. */
  static final String KEYS = "\u0000";

  static Signer schemeSigner(SignatureScheme scheme) {
    return (key, id, seconds, body) -> new LinkedHashMap<>(scheme.sign(id, Instant.ofEpochSecond(seconds), body,
        java.util.Arrays.stream(key.split(KEYS)).map(scheme::parseKey).toList()));
  }

  static Map<String, String> ordered(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  static byte[] hmac(String key, String prefix, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update(prefix.getBytes(StandardCharsets.UTF_8));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /** Every header name any of the schemes reads, for the random requests to hit. */
  static final List<String> KNOWN_NAMES = List.of("webhook-id", "webhook-timestamp", "webhook-signature", "svix-id",
      "svix-timestamp", "svix-signature", "acme-id", "acme-timestamp", "acme-signature", "Stripe-Signature",
      "X-Hub-Signature-256", "X-Hub-Signature", "X-GitHub-Delivery", "X-Signature", "X-Slack-Signature",
      "X-Slack-Request-Timestamp", "X-Shopify-Hmac-Sha256", "X-Shopify-Webhook-Id", "Content-Type");

  // ---- figures

  static final Map<String, LongAdder> FIGURES = new ConcurrentHashMap<>();

  static void count(String what) {
    FIGURES.computeIfAbsent(what, k -> new LongAdder()).increment();
  }

  static long figure(String what) {
    LongAdder a = FIGURES.get(what);
    return a == null ? 0 : a.sum();
  }

  @AfterContainer
  static void printFigures() {
    Map<String, Long> sorted = new TreeMap<>();
    FIGURES.forEach((k, v) -> sorted.put(k, v.sum()));
    StringBuilder detail = new StringBuilder();
    sorted.forEach((k, v) -> detail.append("\n  ").append(k).append(": ").append(v));
    long tried = figure("random: verifies") + figure("mutated: verifies") + figure("other key: verifies")
        + figure("re-split: verifies");
    long refused = figure("random: refused") + figure("mutated: refused") + figure("other key: refused")
        + figure("re-split: refused");
    System.out.println("verifier-fuzz: " + SENDERS.size() + " senders (7 schemes, Ed25519, brands, rotations), " + tried + " verifies tried, " + refused
        + " refused as expected, " + figure("mutated: accepted, same signed content")
        + " mutated requests accepted with the signed content unchanged, " + figure("forgeries accepted")
        + " forgeries accepted, " + figure("mutated: variant accepted again past the replay guard")
        + " replays past the guard, " + figure("other exceptions")
        + " exceptions other than WebhookVerificationException" + detail);
  }

  // ---- random requests

  @Provide
  Arbitrary<String> headerNames() {
    Arbitrary<String> known = Arbitraries.of(KNOWN_NAMES);
    Arbitrary<String> cased = known.map(n -> n.toUpperCase(Locale.ROOT));
    Arbitrary<String> random = Arbitraries.strings().ofMinLength(0).ofMaxLength(30);
    return Arbitraries.frequencyOf(
        Tuple.of(6, known), Tuple.of(2, cased), Tuple.of(1, random));
  }

  static Arbitrary<String> headerValues() {
    Arbitrary<String> base64 = Arbitraries.strings().withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
        .ofMinLength(0).ofMaxLength(90);
    Arbitrary<String> hex = Arbitraries.strings().withChars("0123456789abcdefABCDEF").ofMinLength(0).ofMaxLength(70);
    Arbitrary<String> digits = Arbitraries.longs().between(-5, 99_999_999_999_999L).map(n -> Long.toString(n));
    Arbitrary<String> near = Arbitraries.longs().between(-400, 400).map(d -> Long.toString(NOW.getEpochSecond() + d));
    Arbitrary<String> versions = Arbitraries.of("v1,", "v1a,", "v2,", "v1=", "v0=", "t=", "sha256=", "sha1=", ",", " ", "");
    Arbitrary<String> plausible = Combinators.combine(versions, Arbitraries.oneOf(base64, hex, near)).as(String::concat);
    Arbitrary<String> stripe = Combinators.combine(near, hex).as((t, h) -> "t=" + t + ",v1=" + h);
    Arbitrary<String> anything = Arbitraries.strings().ofMinLength(0).ofMaxLength(200);
    Arbitrary<String> controls = Arbitraries.strings().withCharRange('\u0000', '\u0020').ofMaxLength(20);
    Arbitrary<String> huge = Arbitraries.of("v1,", "t=1,v1=", "sha256=", "a").map(p -> p + "A".repeat(20_000));
    Arbitrary<String> many = Arbitraries.integers().between(30, 400).map(n -> "v1,AAAA ".repeat(n));
    return Arbitraries.frequencyOf(
        Tuple.of(4, plausible), Tuple.of(2, stripe), Tuple.of(2, digits),
        Tuple.of(2, near), Tuple.of(3, anything), Tuple.of(1, controls),
        Tuple.of(1, huge), Tuple.of(1, many));
  }

  /** The header names each sender sends. */
  static final Map<String, List<String>> NAMES_BY_SENDER = namesBySender();

  static Map<String, List<String>> namesBySender() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Sender s : SENDERS) {
      out.put(s.name(), List.copyOf(s.sign("msg_1", NOW.getEpochSecond(), new byte[1]).keySet()));
    }
    return out;
  }

  /** Values shaped like what the header holds, most with a well-formed signature that is not the right one. */
  static Arbitrary<String> shapedValue(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    Arbitrary<String> near = Arbitraries.longs().between(-400, 400).map(d -> Long.toString(NOW.getEpochSecond() + d));
    Arbitrary<byte[]> mac = Arbitraries.bytes().array(byte[].class).ofSize(32);
    Arbitrary<String> b64 = mac.map(b -> Base64.getEncoder().encodeToString(b));
    Arbitrary<String> hex = mac.map(b -> HexFormat.of().formatHex(b));
    Arbitrary<String> ed = Arbitraries.bytes().array(byte[].class).ofSize(64).map(b -> Base64.getEncoder().encodeToString(b));
    Arbitrary<String> any = headerValues();
    if (lower.contains("timestamp")) {
      return Arbitraries.frequencyOf(Tuple.of(6, near), Tuple.of(1, any));
    }
    if (lower.equals("stripe-signature")) {
      return Arbitraries.frequencyOf(Tuple.of(6, Combinators.combine(near, hex.list().ofMinSize(1).ofMaxSize(3))
          .as((t, hs) -> "t=" + t + ",v1=" + String.join(",v1=", hs))), Tuple.of(1, any));
    }
    if (lower.endsWith("-signature")) {
      Arbitrary<String> entry = Arbitraries.oneOf(b64.map(b -> "v1," + b), ed.map(b -> "v1a," + b), b64.map(b -> "v2," + b));
      return Arbitraries.frequencyOf(Tuple.of(6, entry.list().ofMinSize(1).ofMaxSize(3).map(e -> String.join(" ", e))),
          Tuple.of(1, any));
    }
    if (lower.contains("hmac")) {
      return Arbitraries.frequencyOf(Tuple.of(6, b64), Tuple.of(1, any));
    }
    if (lower.startsWith("x-hub") || lower.equals("x-signature") || lower.startsWith("x-slack")) {
      return Arbitraries.frequencyOf(Tuple.of(2, hex.map(h -> "sha256=" + h)), Tuple.of(2, hex.map(h -> "v0=" + h)),
          Tuple.of(2, hex), Tuple.of(1, any));
    }
    return Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.strings().withCharRange('!', '~').ofMinLength(1)
        .ofMaxLength(40)), Tuple.of(1, any));
  }

  /** The headers of one scheme (some left out), with values of the right shape, or random ones. */
  @Provide
  Arbitrary<Map<String, List<String>>> shapedHeaders() {
    return Arbitraries.of(NAMES_BY_SENDER.values()).flatMap(names -> {
      List<Arbitrary<String>> values = names.stream().map(VerifierAbuseFuzzTest::shapedValue).toList();
      return Combinators.combine(values).as(vs -> vs).flatMap(vs -> Arbitraries.integers().between(0, 40)
          .map(drop -> {
            Map<String, List<String>> m = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
              if (drop != i) {
                m.put(names.get(i), List.of(vs.get(i)));
              }
            }
            return m;
          }));
    });
  }

  @Provide
  Arbitrary<Map<String, List<String>>> randomHeaders() {
    return Arbitraries.frequencyOf(Tuple.of(3, shapedHeaders()), Tuple.of(1, looseHeaders()));
  }

  Arbitrary<Map<String, List<String>>> looseHeaders() {
    Arbitrary<List<String>> values = Arbitraries.frequencyOf(
        Tuple.of(8, headerValues().list().ofMinSize(1).ofMaxSize(1)),
        Tuple.of(2, headerValues().list().ofMinSize(0).ofMaxSize(4)),
        Tuple.of(1, headerValues().injectNull(0.5).list().ofMinSize(1).ofMaxSize(3)),
        Tuple.of(1, Arbitraries.<List<String>>just(null)));
    return Arbitraries.maps(headerNames(), values).ofMinSize(0).ofMaxSize(8).map(m -> {
      Map<String, List<String>> copy = new LinkedHashMap<>();
      m.forEach(copy::put); // null values kept: a view over a sloppy adapter's map
      return copy;
    });
  }

  @Provide
  Arbitrary<byte[]> bodies() {
    Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(512);
    Arbitrary<byte[]> json = Arbitraries.strings().ofMaxLength(60)
        .map(s -> ("{\"type\":\"order.paid\",\"data\":{\"note\":\"" + s.replace("\\", "").replace("\"", "") + "\"}}")
            .getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> digitsFirst = Arbitraries.longs().between(NOW.getEpochSecond() - 300, NOW.getEpochSecond() + 300)
        .map(t -> (t + ".{\"a\":1}").getBytes(StandardCharsets.UTF_8));
    return Arbitraries.frequencyOf(
        Tuple.of(3, bytes), Tuple.of(3, json), Tuple.of(1, digitsFirst));
  }

  @Provide
  Arbitrary<byte[]> bodiesWithoutADottedTimestamp() {
    return Arbitraries.oneOf(Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(512),
        Arbitraries.strings().ofMaxLength(60).map(s -> ("{\"note\":\"" + s.replace("\\", "").replace("\"", "")
            + "\",\"n\":1.5}").getBytes(StandardCharsets.UTF_8)))
        .filter(b -> !java.util.regex.Pattern.compile("(^|\\.)17\\d{8}\\.")
            .matcher(new String(b, StandardCharsets.ISO_8859_1)).find());
  }

  static final List<WebhookVerifier> STATELESS = SENDERS.stream().map(s -> s.verifier(ReplayGuard.NONE)).toList();

  @Property(tries = 4000)
  void randomRequests_everySchemeRefuses_withOnlyVerificationExceptions(
      @ForAll("randomHeaders") Map<String, List<String>> headers, @ForAll("bodies") byte[] body) {
    for (int i = 0; i < SENDERS.size(); i++) {
      count("random: verifies");
      Optional<WebhookVerificationException> refused = attempt(STATELESS.get(i), headers, body);
      if (refused.isEmpty()) {
        count("forgeries accepted");
        fail(SENDERS.get(i) + " accepted a random request: " + headers.keySet());
      }
      count("random: refused");
      count("random: refused " + refused.get().reason());
    }
  }

  /** Verifies; the refusal, or empty when accepted. Any exception but a WebhookVerificationException fails. */
  static Optional<WebhookVerificationException> attempt(WebhookVerifier v, Map<String, List<String>> headers,
      byte[] body) {
    try {
      v.verify(headers, body);
      return Optional.empty();
    } catch (WebhookVerificationException e) {
      assertTrue(e.getMessage() != null && !e.getMessage().isEmpty(), "a refusal without a message");
      return Optional.of(e);
    } catch (RuntimeException | Error e) {
      count("other exceptions");
      throw new AssertionError("not a WebhookVerificationException: " + e, e);
    }
  }

  // ---- mutations of validly signed requests

  enum Kind {
    BODY_FLIP_BIT, BODY_INSERT_BYTE, BODY_DELETE_BYTE, BODY_TRUNCATE, BODY_APPEND, BODY_OF_MESSAGE_2,
    VALUE_REPLACE_CHAR, VALUE_INSERT_CHAR, VALUE_DELETE_CHAR, VALUE_TRUNCATE, VALUE_APPEND, VALUE_PREPEND,
    VALUE_UPPER_CASE, VALUE_LOWER_CASE, VALUE_EMPTY, VALUE_RANDOM, VALUE_OF_MESSAGE_2, VALUE_OF_OTHER_KEY,
    HEADER_REMOVE, HEADER_REPEAT, HEADER_EXTRA_VALUE, HEADER_SPLIT_VALUE, HEADER_NAME_CASE, HEADER_NAME_OTHER_BRAND,
    TIMESTAMP_SHIFT, ID_CHANGE, SIGNATURE_ENTRY_ADDED, SIGNATURE_ENTRIES_SWAPPED
  }

  record Mutation(Kind kind, int a, int b, String text) {
    @Override
    public String toString() {
      return kind + "(" + a + "," + b + "," + text.length() + " chars)";
    }
  }

  @Provide
  Arbitrary<List<Mutation>> mutations() {
    Arbitrary<Mutation> one = Combinators.combine(Arbitraries.of(Kind.class),
        Arbitraries.integers().between(0, 1_000_000), Arbitraries.integers().between(-300, 300),
        Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(12), Arbitraries.strings().withCharRange(' ', '~')
            .ofMinLength(1).ofMaxLength(4))).as(Mutation::new);
    return one.list().ofMinSize(1).ofMaxSize(3);
  }

  @Provide
  Arbitrary<Sender> anySender() {
    return Arbitraries.of(SENDERS);
  }

  @Provide
  Arbitrary<String> ids() {
    return Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789_-").ofMinLength(1).ofMaxLength(40)
        .map(s -> "msg_" + s);
  }

  /** A signed message: its headers, its body, and what its signature covers. */
  record Message(Map<String, List<String>> headers, byte[] body, String id, long seconds) {
    static Message signed(Sender sender, String id, long seconds, byte[] body) {
      Map<String, List<String>> headers = new LinkedHashMap<>();
      sender.sign(id, seconds, body).forEach((k, v) -> headers.put(k, new ArrayList<>(List.of(v))));
      return new Message(headers, body, id, seconds);
    }

    Map<String, List<String>> copyOfHeaders() {
      Map<String, List<String>> copy = new LinkedHashMap<>();
      headers.forEach((k, v) -> copy.put(k, new ArrayList<>(v)));
      return copy;
    }
  }

  @Property(tries = 5000)
  void mutatedSignedRequests_neverAcceptedWithOtherSignedContent_norAfterTheOriginalWithAReplayGuard(
      @ForAll("anySender") Sender sender, @ForAll("ids") String id1, @ForAll("ids") String id2,
      @ForAll @IntRange(min = -250, max = 250) int offset1, @ForAll @IntRange(min = -250, max = 250) int offset2,
      @ForAll("bodies") byte[] body1, @ForAll("bodies") byte[] body2, @ForAll("mutations") List<Mutation> mutations) {
    // Two messages of the sender; ids are unique per message, as the specifications ask.
    Message m1 = Message.signed(sender, id1, NOW.getEpochSecond() + offset1, body1);
    Message m2 = Message.signed(sender, id2.equals(id1) ? id1 + "_2" : id2, NOW.getEpochSecond() + offset2, body2);
    Message otherKey = new Message(new LinkedHashMap<>(), body1, id1, m1.seconds);
    sender.signer.sign(sender.otherKey(), id1, m1.seconds, body1)
        .forEach((k, v) -> otherKey.headers.put(k, new ArrayList<>(List.of(v))));

    Map<String, List<String>> headers = m1.copyOfHeaders();
    byte[] body = body1;
    for (Mutation m : mutations) {
      body = apply(m, sender, headers, body, m1, m2, otherKey);
    }
    count("mutated: verifies");
    for (Mutation m : mutations) {
      count("mutated: kind " + m.kind());
    }

    // A receiver without a replay guard: accepted only with exactly the content of a signed message.
    WebhookVerifier stateless = sender.verifier(ReplayGuard.NONE);
    Optional<WebhookVerificationException> refused = attempt(stateless, headers, body);
    if (refused.isPresent()) {
      count("mutated: refused");
      count("mutated: refused " + refused.get().reason());
    } else {
      VerifiedWebhook hook = stateless.verify(headers, body);
      assertSignedContent(sender, hook, body, List.of(m1, m2), mutations);
      count("mutated: accepted, same signed content");
      if (!sender.signsId() && hook.id().isPresent() && !Objects.equals(hook.id().orElse(null), id1)
          && !Objects.equals(hook.id().orElse(null), id2)) {
        count("mutated: accepted, unsigned id header changed (" + sender + ")");
      }
    }

    // A receiver with a replay guard that accepted both messages: no variant of either gets in.
    WebhookVerifier guarded = sender.verifier(ReplayGuard.inMemory());
    guarded.verify(m1.headers, m1.body);
    Optional<WebhookVerificationException> second = attempt(guarded, m2.headers, m2.body);
    if (sameSignedContent(sender, m1, m2)) {
      assertEquals(WebhookVerificationException.Reason.REPLAYED, second.orElseThrow().reason());
    } else {
      second.ifPresent(e -> fail("message 2 refused: " + e.reason()));
    }
    Optional<WebhookVerificationException> replay = attempt(guarded, headers, body);
    if (replay.isEmpty()) {
      count("mutated: variant accepted again past the replay guard");
      fail(sender + ": a variant of an accepted message was accepted again with a replay guard after "
          + mutations + " (a replay that walks around the guard)");
    }
    if (refused.isEmpty()) {
      assertEquals(WebhookVerificationException.Reason.REPLAYED, replay.get().reason());
      count("mutated: equivalent variant refused as REPLAYED by the guard");
    }
  }

  static boolean sameSignedContent(Sender sender, Message a, Message b) {
    return Arrays.equals(a.body, b.body) && (!sender.signsId() || a.id.equals(b.id))
        && (!sender.signsTimestamp() || a.seconds == b.seconds);
  }

  /** An accepted request's signed content is that of one of the signed messages. */
  static void assertSignedContent(Sender sender, VerifiedWebhook hook, byte[] body, List<Message> signed,
      List<Mutation> mutations) {
    for (Message m : signed) {
      boolean sameBody = Arrays.equals(m.body, body);
      boolean sameId = !sender.signsId() || m.id.equals(hook.id().orElse(null));
      boolean sameTime = !sender.signsTimestamp()
          || Instant.ofEpochSecond(m.seconds).equals(hook.timestamp().orElse(null));
      if (sameBody && sameId && sameTime) {
        assertArrayEquals(body, hook.body());
        return;
      }
    }
    count("forgeries accepted");
    fail(sender + " accepted a forgery after " + mutations + ": id " + hook.id().orElse(null) + ", timestamp "
        + hook.timestamp().orElse(null) + ", " + body.length + " body bytes");
  }

  /** Applies one mutation to {@code headers} in place; returns the body. */
  static byte[] apply(Mutation m, Sender sender, Map<String, List<String>> headers, byte[] body, Message m1,
      Message m2, Message otherKey) {
    List<String> names = new ArrayList<>(headers.keySet());
    String name = names.isEmpty() ? null : names.get(m.a() % names.size());
    List<String> values = name == null ? null : headers.get(name);
    int v = values == null || values.isEmpty() ? -1 : (m.a() / 7) % values.size();
    String value = v < 0 ? null : values.get(v);
    int at = value == null ? 0 : Math.floorMod(m.b(), value.length() + 1);
    switch (m.kind()) {
      case BODY_FLIP_BIT:
        if (body.length > 0) {
          byte[] b = body.clone();
          b[m.a() % b.length] ^= (byte) (1 << Math.floorMod(m.b(), 8));
          return b;
        }
        return new byte[] {(byte) m.b()};
      case BODY_INSERT_BYTE: {
        int i = m.a() % (body.length + 1);
        byte[] b = new byte[body.length + 1];
        System.arraycopy(body, 0, b, 0, i);
        b[i] = (byte) m.b();
        System.arraycopy(body, i, b, i + 1, body.length - i);
        return b;
      }
      case BODY_DELETE_BYTE: {
        if (body.length == 0) {
          return body;
        }
        int i = m.a() % body.length;
        byte[] b = new byte[body.length - 1];
        System.arraycopy(body, 0, b, 0, i);
        System.arraycopy(body, i + 1, b, i, body.length - i - 1);
        return b;
      }
      case BODY_TRUNCATE:
        return Arrays.copyOf(body, body.length == 0 ? 0 : m.a() % body.length);
      case BODY_APPEND: {
        byte[] tail = m.text().isEmpty() ? new byte[] {0} : m.text().getBytes(StandardCharsets.UTF_8);
        byte[] b = Arrays.copyOf(body, body.length + tail.length);
        System.arraycopy(tail, 0, b, body.length, tail.length);
        return b;
      }
      case BODY_OF_MESSAGE_2:
        return m2.body.clone();
      case VALUE_REPLACE_CHAR:
        if (value != null && !value.isEmpty()) {
          int i = Math.min(at, value.length() - 1);
          values.set(v, value.substring(0, i) + m.text() + value.substring(i + 1));
        }
        return body;
      case VALUE_INSERT_CHAR:
        if (value != null) {
          values.set(v, value.substring(0, at) + (m.text().isEmpty() ? " " : m.text()) + value.substring(at));
        }
        return body;
      case VALUE_DELETE_CHAR:
        if (value != null && !value.isEmpty()) {
          int i = Math.min(at, value.length() - 1);
          values.set(v, value.substring(0, i) + value.substring(i + 1));
        }
        return body;
      case VALUE_TRUNCATE:
        if (value != null) {
          values.set(v, value.substring(0, at));
        }
        return body;
      case VALUE_APPEND:
        if (value != null) {
          values.set(v, value + m.text());
        }
        return body;
      case VALUE_PREPEND:
        if (value != null) {
          values.set(v, m.text() + value);
        }
        return body;
      case VALUE_UPPER_CASE:
        if (value != null) {
          values.set(v, value.toUpperCase(Locale.ROOT));
        }
        return body;
      case VALUE_LOWER_CASE:
        if (value != null) {
          values.set(v, value.toLowerCase(Locale.ROOT));
        }
        return body;
      case VALUE_EMPTY:
        if (value != null) {
          values.set(v, "");
        }
        return body;
      case VALUE_RANDOM:
        if (value != null) {
          values.set(v, m.text());
        }
        return body;
      case VALUE_OF_MESSAGE_2:
        copyHeader(m2, name, headers);
        return body;
      case VALUE_OF_OTHER_KEY:
        copyHeader(otherKey, name, headers);
        return body;
      case HEADER_REMOVE:
        if (name != null) {
          headers.remove(name);
        }
        return body;
      case HEADER_REPEAT:
        if (value != null) {
          values.add(value);
        }
        return body;
      case HEADER_EXTRA_VALUE:
        if (values != null) {
          values.add(m.b() >= 0 ? values.size() : 0, m.text());
        }
        return body;
      case HEADER_SPLIT_VALUE:
        if (value != null) {
          values.set(v, value.substring(0, at));
          values.add(v + 1, value.substring(at));
        }
        return body;
      case HEADER_NAME_CASE:
        if (name != null) {
          rename(headers, name, m.b() >= 0 ? name.toUpperCase(Locale.ROOT) : name.toLowerCase(Locale.ROOT));
        }
        return body;
      case HEADER_NAME_OTHER_BRAND:
        if (name != null) {
          String other = name.replaceFirst("^(?i)(webhook|svix|acme)-", m.b() % 3 == 0 ? "svix-" : m.b() % 3 == 1
              ? "webhook-" : "acme-");
          rename(headers, name, other.equals(name) ? name.replace("Signature", "Signature-256") : other);
        }
        return body;
      case TIMESTAMP_SHIFT:
        shiftTimestamp(headers, m.b() == 0 ? 1 : m.b());
        return body;
      case ID_CHANGE:
        for (String n : names) {
          if (n.toLowerCase(Locale.ROOT).endsWith("-id") || n.equalsIgnoreCase("X-GitHub-Delivery")) {
            headers.put(n, new ArrayList<>(List.of(m2.id)));
          }
        }
        return body;
      case SIGNATURE_ENTRY_ADDED:
        for (String n : names) {
          if (n.toLowerCase(Locale.ROOT).contains("signature") || n.toLowerCase(Locale.ROOT).contains("hmac")) {
            List<String> vs = headers.get(n);
            String extra = first(otherKey.headers, n).orElse(m.text());
            String sep = n.toLowerCase(Locale.ROOT).endsWith("-signature") && !n.equals("Stripe-Signature")
                && !n.startsWith("X-") ? " " : ",";
            vs.set(0, m.b() >= 0 ? vs.get(0) + sep + extra : extra + sep + vs.get(0));
          }
        }
        return body;
      case SIGNATURE_ENTRIES_SWAPPED:
        for (String n : names) {
          List<String> vs = headers.get(n);
          if (vs.size() > 1) {
            java.util.Collections.reverse(vs);
          } else if (!vs.isEmpty() && vs.get(0).contains(",")) {
            List<String> parts = new ArrayList<>(List.of(vs.get(0).split(",", -1)));
            java.util.Collections.reverse(parts);
            vs.set(0, String.join(",", parts));
          }
        }
        return body;
      default:
        throw new AssertionError(m.kind());
    }
  }

  static Optional<String> first(Map<String, List<String>> headers, String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  static void copyHeader(Message from, String name, Map<String, List<String>> to) {
    if (name != null && from.headers.containsKey(name)) {
      to.put(name, new ArrayList<>(from.headers.get(name)));
    }
  }

  static void rename(Map<String, List<String>> headers, String from, String to) {
    Map<String, List<String>> copy = new LinkedHashMap<>(headers);
    headers.clear();
    copy.forEach((k, vs) -> headers.merge(k.equals(from) ? to : k, vs, (a, b) -> {
      List<String> both = new ArrayList<>(a);
      both.addAll(b);
      return both;
    }));
  }

  /** Rewrites every run of 9 or more digits in the timestamp headers (and Stripe's t=) by {@code delta}. */
  static void shiftTimestamp(Map<String, List<String>> headers, int delta) {
    headers.forEach((name, values) -> {
      String lower = name.toLowerCase(Locale.ROOT);
      if (!lower.contains("timestamp") && !lower.equals("stripe-signature")) {
        return;
      }
      for (int i = 0; i < values.size(); i++) {
        java.util.regex.Matcher t = java.util.regex.Pattern.compile("(^|t=)(\\d{9,})").matcher(values.get(i));
        StringBuilder out = new StringBuilder();
        while (t.find()) {
          t.appendReplacement(out, t.group(1) + (Long.parseLong(t.group(2)) + delta));
        }
        t.appendTail(out);
        values.set(i, out.toString());
      }
    });
  }

  // ---- another secret

  @Property(tries = 1000)
  void signedWithAnotherKey_neverAccepted_evenByAReceiverHoldingSeveral(
      @ForAll("anySender") Sender sender, @ForAll("ids") String id, @ForAll @IntRange(min = -250, max = 250) int offset,
      @ForAll("bodies") byte[] body) {
    String other = sender.otherKey();
    Map<String, List<String>> headers = new LinkedHashMap<>();
    sender.signer.sign(other, id, NOW.getEpochSecond() + offset, body).forEach((k, v) -> headers.put(k, List.of(v)));
    WebhookVerifier.Builder b = sender.verifier(ReplayGuard.NONE).newBuilder();
    for (int i = 0; i < 2; i++) {
      String decoy = sender.otherKey();
      b.secret(decoy.startsWith("whsk_") ? Ed25519SigningKey.parse(decoy).verifyingKey().encoded() : decoy);
    }
    WebhookVerifier receiver = b.build();
    for (WebhookVerifier v : List.of(sender.verifier(ReplayGuard.NONE), receiver)) {
      count("other key: verifies");
      Optional<WebhookVerificationException> refused = attempt(v, headers, body);
      if (refused.isEmpty()) {
        count("forgeries accepted");
        fail(sender + " accepted a request signed with another key");
      }
      assertEquals(WebhookVerificationException.Reason.NO_MATCHING_SIGNATURE, refused.get().reason());
      count("other key: refused");
    }
  }

  // ---- the Standard Webhooks signed string, split elsewhere

  /**
   * Standard Webhooks signs {@code id.timestamp.body}. Every other split of that string at two of
   * its dots into an id, a timestamp and a body is refused: the signature is bound to one id, one
   * timestamp and one body. The bodies here hold no {@code .<epoch seconds within the tolerance>.}
   * and do not start with {@code <epoch seconds>.}: for such a body the specification's signed
   * string is itself ambiguous (an id ending in {@code .<timestamp>}, the body's digits as the
   * timestamp, the rest as the body), which the suite's report describes.
   */
  @Property(tries = 500)
  void standardWebhooks_theSignedStringSplitElsewhere_isRefused(
      @ForAll("ids") String id, @ForAll @IntRange(min = -250, max = 250) int offset,
      @ForAll("bodiesWithoutADottedTimestamp") byte[] body) {
    Sender sender = SENDERS.get(0);
    long seconds = NOW.getEpochSecond() + offset;
    Message m = Message.signed(sender, id, seconds, body);
    String signature = m.headers.get("webhook-signature").get(0);
    byte[] prefix = (id + "." + seconds + ".").getBytes(StandardCharsets.UTF_8);
    byte[] signed = new byte[prefix.length + body.length];
    System.arraycopy(prefix, 0, signed, 0, prefix.length);
    System.arraycopy(body, 0, signed, prefix.length, body.length);
    List<Integer> dots = new ArrayList<>();
    for (int i = 0; i < signed.length && dots.size() < 12; i++) {
      if (signed[i] == '.') {
        dots.add(i);
      }
    }
    WebhookVerifier v = sender.verifier(ReplayGuard.NONE);
    for (int i = 0; i < dots.size(); i++) {
      for (int j = i + 1; j < dots.size(); j++) {
        int a = dots.get(i);
        int b = dots.get(j);
        String id2 = new String(signed, 0, a, StandardCharsets.UTF_8);
        String ts2 = new String(signed, a + 1, b - a - 1, StandardCharsets.UTF_8);
        byte[] body2 = Arrays.copyOfRange(signed, b + 1, signed.length);
        if (id2.equals(id) && ts2.equals(Long.toString(seconds))) {
          continue;
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("webhook-id", List.of(id2));
        headers.put("webhook-timestamp", List.of(ts2));
        headers.put("webhook-signature", List.of(signature));
        count("re-split: verifies");
        Optional<WebhookVerificationException> refused = attempt(v, headers, body2);
        if (refused.isEmpty()) {
          count("forgeries accepted");
          fail("accepted " + id2 + " / " + ts2 + " / " + body2.length + " bytes");
        }
        count("re-split: refused");
      }
    }
    count("re-split: messages");
  }
}
