package dev.webhooks.core.signature;

import static java.util.Objects.requireNonNull;

import dev.webhooks.core.internal.Hex;
import dev.webhooks.core.secret.WebhookKey;
import dev.webhooks.core.secret.WebhookSecret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Slack's {@code v0=} signature over {@code "v0:timestamp:body"}; verify only. */
final class SlackScheme implements SignatureScheme {
  static final SlackScheme INSTANCE = new SlackScheme();
  private static final String TIMESTAMP = "X-Slack-Request-Timestamp";
  private static final String SIGNATURE = "X-Slack-Signature";

  private SlackScheme() {}

  @Override
  public String name() {
    return "slack";
  }

  @Override
  public boolean canSign() {
    return false;
  }

  @Override
  public WebhookKey parseKey(String text) {
    return WebhookSecret.ofUtf8(text);
  }

  @Override
  public Map<String, String> sign(
      String messageId, Instant timestamp, byte[] body, List<? extends WebhookKey> keys) {
    throw new UnsupportedOperationException("the slack scheme only verifies");
  }

  @Override
  public VerifiedSignature verify(
      WebhookHeaders headers, byte[] body, List<? extends WebhookKey> keys, Instant now, Duration tolerance) {
    requireNonNull(headers, "headers == null");
    requireNonNull(body, "body == null");
    requireNonNull(now, "now == null");
    requireNonNull(tolerance, "tolerance == null");
    List<WebhookSecret> secrets = Schemes.secrets(requireNonNull(keys, "keys == null"));
    Schemes.requireKeys(name(), secrets);
    String signature = Schemes.required(headers, SIGNATURE, ",");
    String ts = Schemes.required(headers, TIMESTAMP, ",").trim();
    Instant signedAt = Schemes.checkTolerance(Schemes.parseTimestamp(TIMESTAMP, ts), now, tolerance);
    byte[][] macs = Schemes.macs(secrets, ("v0:" + ts + ':').getBytes(StandardCharsets.UTF_8), body);
    byte[] match = Schemes.firstMatch(SIGNATURE, signature,
        c -> c.startsWith("v0=") ? Hex.decodeOrNull(c.substring(3)) : null, macs);
    if (match == null) {
      throw Schemes.noMatch();
    }
    return VerifiedSignature.of(null, signedAt, "slack:" + Hex.encode(match));
  }

  @Override
  public String toString() {
    return name();
  }
}
