package dev.webhooks.core.signature;

import dev.webhooks.core.internal.Hex;
import dev.webhooks.core.secret.WebhookSecret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Slack's {@code v0=} signature over {@code "v0:timestamp:body"}; verify only. */
final class SlackScheme extends TextSecretScheme {
  static final SlackScheme INSTANCE = new SlackScheme();
  private static final String TIMESTAMP = "X-Slack-Request-Timestamp";
  private static final String SIGNATURE = "X-Slack-Signature";

  private SlackScheme() {}

  @Override
  public String name() {
    return "slack";
  }

  @Override
  VerifiedSignature verifyWith(
      WebhookHeaders headers, byte[] body, List<WebhookSecret> secrets, Instant now, Duration tolerance) {
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
}
