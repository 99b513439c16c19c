package dev.webhooks.core.signature;

import static java.util.Objects.requireNonNull;

import dev.webhooks.core.internal.Hex;
import dev.webhooks.core.secret.WebhookKey;
import dev.webhooks.core.secret.WebhookSecret;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hex HMAC-SHA256 of the raw body in one header, optionally after a prefix such as {@code sha256=}. */
final class HexHmacScheme extends TextSecretScheme {
  static final HexHmacScheme GITHUB = new HexHmacScheme("X-Hub-Signature-256", "sha256=", "X-GitHub-Delivery");

  private final String header;
  private final String prefix;
  private final String idHeader;

  HexHmacScheme(String header, String prefix, String idHeader) {
    this.header = Schemes.requireHeaderName(header);
    this.prefix = requireNonNull(prefix, "prefix == null");
    this.idHeader = idHeader == null ? null : Schemes.requireHeaderName(idHeader);
    if (!prefix.chars().allMatch(c -> c > 32 && c < 127 && c != ',')) {
      throw new IllegalArgumentException("prefix must be visible ASCII without commas");
    }
  }

  @Override
  public String name() {
    return this == GITHUB ? "github" : "hmac-hex(" + header + ")";
  }

  @Override
  public boolean canSign() {
    return true;
  }

  /** Signs with the first secret only: a hex header carries a single signature. */
  @Override
  public Map<String, String> sign(
      String messageId, Instant timestamp, byte[] body, List<? extends WebhookKey> keys) {
    requireNonNull(body, "body == null");
    WebhookSecret secret = Schemes.signingSecrets(name(), requireNonNull(keys, "keys == null")).get(0);
    Map<String, String> headers = new LinkedHashMap<>(2);
    if (idHeader != null && messageId != null) {
      headers.put(idHeader, messageId);
    }
    headers.put(header, prefix + Hex.encode(Schemes.hmac(secret, null, body)));
    return headers;
  }

  @Override
  VerifiedSignature verifyWith(
      WebhookHeaders headers, byte[] body, List<WebhookSecret> secrets, Instant now, Duration tolerance) {
    String value = Schemes.required(headers, header, ",");
    byte[][] macs = Schemes.macs(secrets, null, body);
    byte[] match = Schemes.firstMatch(header, value, this::decode, macs);
    if (match == null) {
      throw Schemes.noMatch();
    }
    String id = idHeader == null ? null : headers.first(idHeader).orElse(null);
    // The id header is not signed: a replay with another id must still be recognised. The replay
    // key is the body's MAC under the first key, whichever signature matched and however spelt.
    return VerifiedSignature.of(id, null, name() + ':' + Hex.encode(macs[0]));
  }

  private byte[] decode(String candidate) {
    if (!candidate.regionMatches(true, 0, prefix, 0, prefix.length())) {
      return null;
    }
    return Hex.decodeOrNull(candidate.substring(prefix.length()));
  }
}
