package dev.webhooks.benchmarks;

import com.standardwebhooks.Webhook;
import dev.webhooks.core.secret.WebhookSecret;
import dev.webhooks.core.signature.SignatureScheme;
import dev.webhooks.verifier.ReplayGuard;
import dev.webhooks.verifier.VerifiedWebhook;
import dev.webhooks.verifier.WebhookVerifier;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Signing and verifying one request, ours beside the peers' and beside the limit: a {@code Mac}
 * initialised once per thread doing only {@code update} and {@code doFinal} over the bytes a
 * Standard Webhooks signature covers ({@code id.timestamp.body}). Each verify sees the headers of a
 * realistic request (twelve, as a receiver's framework hands them over: a map of lists) and the
 * raw body; ours and the peers get the same map.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SignatureBenchmark {
  @Param({"1024", "16384"})
  public int payloadBytes;

  static final String ID = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
  static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  static final String STRIPE_SECRET = "whsec_stripe_test_secret_0123456789";

  byte[] body;
  String bodyText;
  Instant timestamp;
  long seconds;
  Map<String, List<String>> standardHeaders;
  Map<String, List<String>> stripeHeaders;
  Map<String, List<String>> hexHeaders;
  String stripeHeader;
  WebhookVerifier ours;
  WebhookVerifier oursStripe;
  WebhookVerifier oursHex;
  SignatureScheme scheme;
  List<WebhookSecret> keys;
  Webhook reference;
  Mac mac;
  byte[] signedPrefix;

  @Setup
  public void setUp() throws GeneralSecurityException {
    body = Payloads.json(payloadBytes);
    bodyText = new String(body, StandardCharsets.UTF_8);
    // The peers check timestamps against the system clock: sign with now, within every tolerance.
    timestamp = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    seconds = timestamp.getEpochSecond();
    Clock clock = Clock.fixed(timestamp, ZoneOffset.UTC);
    WebhookSecret secret = WebhookSecret.parse(SECRET);
    keys = List.of(secret);
    scheme = SignatureScheme.standardWebhooks();
    standardHeaders = multi(scheme.sign(ID, timestamp, body, keys));
    ours = WebhookVerifier.builder().secret(SECRET).clock(clock).replayGuard(ReplayGuard.NONE).build();

    SignatureScheme stripe = SignatureScheme.stripe();
    stripeHeaders = multi(stripe.sign(ID, timestamp, body, List.of(stripe.parseKey(STRIPE_SECRET))));
    stripeHeader = stripeHeaders.get("Stripe-Signature").get(0);
    oursStripe = WebhookVerifier.builder().scheme(stripe).secret(STRIPE_SECRET).clock(clock)
        .replayGuard(ReplayGuard.NONE).build();

    SignatureScheme hex = SignatureScheme.hmacHex("X-Signature");
    hexHeaders = multi(hex.sign(ID, timestamp, body, List.of(hex.parseKey(SECRET))));
    oursHex = WebhookVerifier.builder().scheme(hex).secret(SECRET).clock(clock).replayGuard(ReplayGuard.NONE).build();

    reference = new Webhook(SECRET);
    mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.bytes(), "HmacSHA256"));
    signedPrefix = (ID + "." + seconds + ".").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The signature headers among the others a real request carries, as a framework hands them
   * over: a map of lists, names as the client spelled them.
   */
  private static Map<String, List<String>> multi(Map<String, String> signature) {
    Map<String, List<String>> out = new HashMap<>();
    out.put("Host", List.of("hooks.example.com"));
    out.put("User-Agent", List.of("webhooks-java/0.1"));
    out.put("Content-Type", List.of("application/json"));
    out.put("Content-Length", List.of("1024"));
    out.put("Accept-Encoding", List.of("gzip"));
    out.put("Connection", List.of("keep-alive"));
    out.put("X-Forwarded-For", List.of("203.0.113.7"));
    out.put("X-Forwarded-Proto", List.of("https"));
    out.put("X-Request-Id", List.of("9f2c1e7a-61b4-4c3e-a8f3-0d4c7b2e5a19"));
    signature.forEach((k, v) -> out.put(k, List.of(v)));
    return out;
  }

  @Benchmark
  public VerifiedWebhook oursVerifyStandardWebhooks() {
    return ours.verify(standardHeaders, body);
  }

  @Benchmark
  public Map<String, String> oursSignStandardWebhooks() {
    return scheme.sign(ID, timestamp, body, keys);
  }

  @Benchmark
  public VerifiedWebhook oursVerifyStripeStyle() {
    return oursStripe.verify(stripeHeaders, body);
  }

  @Benchmark
  public VerifiedWebhook oursVerifyHexHmac() {
    return oursHex.verify(hexHeaders, body);
  }

  @Benchmark
  public Map<String, List<String>> referenceVerifyStandardWebhooks() throws Exception {
    reference.verify(bodyText, standardHeaders);
    return standardHeaders;
  }

  @Benchmark
  public String referenceSignStandardWebhooks() throws Exception {
    return reference.sign(ID, seconds, bodyText);
  }

  @Benchmark
  public boolean stripeVerifyHeader() throws Exception {
    return com.stripe.net.Webhook.Signature.verifyHeader(bodyText, stripeHeader, STRIPE_SECRET, 300);
  }

  @Benchmark
  public byte[] limitReusedMac() {
    mac.update(signedPrefix);
    mac.update(body);
    return mac.doFinal();
  }
}
