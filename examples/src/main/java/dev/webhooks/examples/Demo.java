package dev.webhooks.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webhooks.core.event.Envelope;
import dev.webhooks.core.event.EventCatalog;
import dev.webhooks.core.secret.WebhookSecret;
import dev.webhooks.core.signature.SignatureScheme;
import dev.webhooks.core.signature.WebhookVerificationException;
import dev.webhooks.verifier.ReplayGuard;
import dev.webhooks.verifier.VerifiedWebhook;
import dev.webhooks.verifier.WebhookVerifier;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The README's demo: signs one event as a sender would, then verifies it as a receiver would, and
 * shows that each kind of tampering is refused for the right reason.
 *
 * <pre>{@code mvn -B -q -pl examples -am compile exec:java}</pre>
 */
public final class Demo {
  private final PrintStream out;
  private int failures;

  Demo(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    Demo demo = new Demo(System.out);
    demo.run();
    if (demo.failures > 0) {
      System.exit(1);
    }
  }

  /** Runs every check; returns the number that did not behave as expected. */
  int run() throws Exception {
    Instant now = Instant.parse("2026-05-02T12:00:00Z");
    Clock clock = Clock.fixed(now, ZoneOffset.UTC);
    ObjectMapper json = new ObjectMapper();

    // Sender side: the application's catalog, a tenant's endpoint secret, one event.
    EventCatalog catalog = EventCatalog.builder()
        .event("lookup.completed", "An email lookup finished", json.readTree("{\"email\":\"jane@example.com\"}"))
        .declared("credits.exhausted", "Workspace credits are used up", json.readTree("{\"workspace\":\"ws_1\"}"))
        .build();
    WebhookSecret secret = WebhookSecret.generate();
    Envelope event = Envelope.of(Envelope.newId(clock), "lookup.completed", now,
        catalog.find("lookup.completed").orElseThrow().examplePayload());
    byte[] body = event.toJson();
    Map<String, String> headers = SignatureScheme.standardWebhooks().sign(event.id(), now, body, List.of(secret));

    out.println("Sender signed " + event.type() + " (" + body.length + " bytes) with Standard Webhooks:");
    headers.forEach((k, v) -> out.println("  " + k + ": " + (k.endsWith("signature") ? v.substring(0, 12) + "…" : v)));
    out.println("  body: " + new String(body, StandardCharsets.UTF_8));
    out.println();

    // Receiver side: one verifier, built once, shared by every request.
    WebhookVerifier verifier = WebhookVerifier.builder()
        .secret(secret.encoded())
        .tolerance(Duration.ofMinutes(5))
        .replayGuard(ReplayGuard.inMemory())
        .clock(clock)
        .build();

    out.println("Receiver checks:");
    check("genuine request verifies", () -> {
      VerifiedWebhook hook = verifier.verify(multi(headers), body);
      return "id " + hook.id().orElseThrow() + ", type " + hook.json().get("type").asText();
    }, null);
    check("same request again is a replay", () -> verifier.verify(multi(headers), body),
        WebhookVerificationException.Reason.REPLAYED);
    byte[] tampered = new String(body, StandardCharsets.UTF_8).replace("jane", "john").getBytes(StandardCharsets.UTF_8);
    check("tampered body is refused", () -> fresh(verifier).verify(multi(headers), tampered),
        WebhookVerificationException.Reason.NO_MATCHING_SIGNATURE);
    Map<String, String> otherId = new LinkedHashMap<>(headers);
    otherId.put("webhook-id", "msg_forged");
    check("changed webhook-id is refused", () -> fresh(verifier).verify(multi(otherId), body),
        WebhookVerificationException.Reason.NO_MATCHING_SIGNATURE);
    check("wrong secret is refused", () -> WebhookVerifier.builder().secret(WebhookSecret.generate().encoded())
        .clock(clock).build().verify(multi(headers), body), WebhookVerificationException.Reason.NO_MATCHING_SIGNATURE);
    check("request 6 minutes old is refused", () -> fresh(verifier).newBuilder()
        .clock(Clock.offset(clock, Duration.ofMinutes(6))).build().verify(multi(headers), body),
        WebhookVerificationException.Reason.TIMESTAMP_TOO_OLD);
    check("request 6 minutes in the future is refused", () -> fresh(verifier).newBuilder()
        .clock(Clock.offset(clock, Duration.ofMinutes(-6))).build().verify(multi(headers), body),
        WebhookVerificationException.Reason.TIMESTAMP_TOO_NEW);
    Map<String, String> noSignature = new LinkedHashMap<>(headers);
    noSignature.remove("webhook-signature");
    check("missing signature header is refused", () -> fresh(verifier).verify(multi(noSignature), body),
        WebhookVerificationException.Reason.MISSING_HEADER);
    WebhookSecret next = WebhookSecret.generate();
    Map<String, String> rotated = SignatureScheme.standardWebhooks().sign(event.id(), now, body, List.of(next, secret));
    check("during a rotation, old and new secrets both verify", () -> {
      fresh(verifier).verify(multi(rotated), body);
      WebhookVerifier.builder().secret(next.encoded()).clock(clock).build().verify(multi(rotated), body);
      return "2 signatures in webhook-signature";
    }, null);

    out.println();
    out.println(failures == 0 ? "All checks behaved as expected." : failures + " check(s) did not behave as expected.");
    return failures;
  }

  /** The same verifier without the replay guard's memory of the genuine request. */
  private static WebhookVerifier fresh(WebhookVerifier verifier) {
    return verifier.newBuilder().replayGuard(ReplayGuard.NONE).build();
  }

  private void check(String what, Supplier<Object> action, WebhookVerificationException.Reason expected) {
    String outcome;
    boolean ok;
    try {
      Object result = action.get();
      ok = expected == null;
      outcome = expected == null ? String.valueOf(result) : "accepted, but expected " + expected;
    } catch (WebhookVerificationException e) {
      ok = e.reason() == expected;
      outcome = e.reason() + ": " + e.getMessage();
    }
    if (!ok) {
      failures++;
    }
    out.printf("  [%s] %-52s %s%n", ok ? "ok" : "FAIL", what, outcome);
  }

  private static Map<String, List<String>> multi(Map<String, String> single) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    single.forEach((k, v) -> m.put(k, new ArrayList<>(List.of(v))));
    return m;
  }
}
