package dev.webhooks.core.signature;

import static java.util.Objects.requireNonNull;

import dev.webhooks.core.internal.Hex;
import dev.webhooks.core.secret.WebhookKey;
import dev.webhooks.core.secret.WebhookSecret;
import dev.webhooks.core.signature.WebhookVerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** {@code t=<seconds>,v1=<hex>[,v1=<hex>…]} over {@code "t.body"}, as Stripe signs. */
final class StripeScheme extends TextSecretScheme {
  static final StripeScheme STRIPE = new StripeScheme("Stripe-Signature");

  private final String header;

  StripeScheme(String header) {
    this.header = Schemes.requireHeaderName(header);
  }

  @Override
  public String name() {
    return header.equals("Stripe-Signature") ? "stripe" : "stripe-style(" + header + ")";
  }

  @Override
  public boolean canSign() {
    return true;
  }

  @Override
  public Map<String, String> sign(
      String messageId, Instant timestamp, byte[] body, List<? extends WebhookKey> keys) {
    requireNonNull(timestamp, "timestamp == null");
    requireNonNull(body, "body == null");
    List<WebhookSecret> secrets = Schemes.signingSecrets(name(), requireNonNull(keys, "keys == null"));
    String t = Long.toString(timestamp.getEpochSecond());
    byte[] prefix = (t + '.').getBytes(StandardCharsets.US_ASCII);
    StringBuilder value = new StringBuilder("t=").append(t);
    for (WebhookSecret secret : secrets) {
      value.append(",v1=").append(Hex.encode(Schemes.hmac(secret, prefix, body)));
    }
    return Map.of(header, value.toString());
  }

  @Override
  VerifiedSignature verifyWith(
      WebhookHeaders headers, byte[] body, List<WebhookSecret> secrets, Instant now, Duration tolerance) {
    String value = Schemes.required(headers, header, ",");

    String t = null;
    StringBuilder v1 = new StringBuilder();
    for (String item : value.split(",")) {
      int eq = item.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String key = item.substring(0, eq).trim();
      String val = item.substring(eq + 1).trim();
      if (key.equals("t") && t == null) {
        t = val;
      } else if (key.equals("v1")) {
        v1.append(v1.length() == 0 ? "" : ",").append(val);
      }
    }
    if (t == null) {
      throw new WebhookVerificationException(Reason.MALFORMED_HEADER, "header " + header + " has no t= timestamp");
    }
    Instant signedAt = Schemes.checkTolerance(Schemes.parseTimestamp(header + " t", t), now, tolerance);
    if (v1.length() == 0) {
      throw new WebhookVerificationException(
          Reason.NO_MATCHING_SIGNATURE, "header " + header + " has no v1 signature");
    }
    byte[][] macs = Schemes.macs(secrets, (t + '.').getBytes(StandardCharsets.UTF_8), body);
    byte[] match = Schemes.firstMatch(header, v1.toString(), Hex::decodeOrNull, macs);
    if (match == null) {
      throw Schemes.noMatch();
    }
    // The MAC of "t.body" under the first key, not the matched signature: during a rotation the
    // header holds one signature per secret, and reordering them must not make a replay look new.
    return VerifiedSignature.of(null, signedAt, name() + ':' + Hex.encode(macs[0]));
  }
}
