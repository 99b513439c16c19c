package dev.webhooks.core.signature;

import dev.webhooks.core.secret.WebhookKey;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One scheme under test, with an independent signer written straight on {@code javax.crypto} (so a
 * bug in a scheme's own {@code sign} cannot hide the same bug in its {@code verify}).
 */
final class SchemeFixture {
  static final long TS = 1_700_000_000L;
  static final String ID = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
  static final String SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  static final String SW_OTHER = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
  static final String TEXT_SECRET = "a plain text secret";
  static final String TEXT_OTHER = "another plain text secret";

  interface Signer {
    Map<String, String> sign(byte[] key, String id, long ts, byte[] body);
  }

  final String name;
  final SignatureScheme scheme;
  final String secret;
  final String otherSecret;
  final boolean signsTimestamp;
  final String signatureHeader;
  final String timestampHeader;
  /** A well-formed signature entry that matches nothing, and how entries are joined. */
  final String wrongEntry;
  final String joiner;
  final Signer signer;

  private SchemeFixture(String name, SignatureScheme scheme, boolean sw, String signatureHeader, String timestampHeader,
      String wrongEntry, String joiner, Signer signer) {
    this.name = name;
    this.scheme = scheme;
    this.secret = sw ? SW_SECRET : TEXT_SECRET;
    this.otherSecret = sw ? SW_OTHER : TEXT_OTHER;
    this.signsTimestamp = timestampHeader != null;
    this.signatureHeader = signatureHeader;
    this.timestampHeader = timestampHeader;
    this.wrongEntry = wrongEntry;
    this.joiner = joiner;
    this.signer = signer;
  }

  static List<SchemeFixture> all() {
    String zeroHex = "0".repeat(64);
    String zeroB64 = Base64.getEncoder().encodeToString(new byte[32]);
    return List.of(
        new SchemeFixture("standard-webhooks", SignatureScheme.standardWebhooks(), true,
            "webhook-signature", "webhook-timestamp", "v1," + zeroB64, " ",
            (k, id, ts, b) -> headers("webhook-id", id, "webhook-timestamp", Long.toString(ts),
                "webhook-signature", "v1," + b64(hmac(k, id + "." + ts + ".", b)))),
        new SchemeFixture("svix", SignatureScheme.svix(), true,
            "svix-signature", "svix-timestamp", "v1," + zeroB64, " ",
            (k, id, ts, b) -> headers("svix-id", id, "svix-timestamp", Long.toString(ts),
                "svix-signature", "v1," + b64(hmac(k, id + "." + ts + ".", b)))),
        new SchemeFixture("stripe", SignatureScheme.stripe(), false,
            "Stripe-Signature", "Stripe-Signature", "v1=" + zeroHex, ",",
            (k, id, ts, b) -> headers("Stripe-Signature", "t=" + ts + ",v1=" + hex(hmac(k, ts + ".", b)))),
        new SchemeFixture("github", SignatureScheme.github(), false,
            "X-Hub-Signature-256", null, "sha256=" + zeroHex, ",",
            (k, id, ts, b) -> headers("X-GitHub-Delivery", id, "X-Hub-Signature-256", "sha256=" + hex(hmac(k, "", b)))),
        new SchemeFixture("hmac-hex", SignatureScheme.hmacHex("X-Signature"), false,
            "X-Signature", null, zeroHex, ",",
            (k, id, ts, b) -> headers("X-Signature", hex(hmac(k, "", b)))),
        new SchemeFixture("slack", SignatureScheme.slack(), false,
            "X-Slack-Signature", "X-Slack-Request-Timestamp", "v0=" + zeroHex, ",",
            (k, id, ts, b) -> headers("X-Slack-Request-Timestamp", Long.toString(ts),
                "X-Slack-Signature", "v0=" + hex(hmac(k, "v0:" + ts + ":", b)))),
        new SchemeFixture("shopify", SignatureScheme.shopify(), false,
            "X-Shopify-Hmac-Sha256", null, zeroB64, ",",
            (k, id, ts, b) -> headers("X-Shopify-Webhook-Id", id, "X-Shopify-Hmac-Sha256", b64(hmac(k, "", b)))));
  }

  /** The key bytes the scheme's senders would use for {@code text}. */
  byte[] keyBytes(String text) {
    if (text.startsWith("whsec_")) {
      return Base64.getDecoder().decode(text.substring(6));
    }
    return text.getBytes(StandardCharsets.UTF_8);
  }

  Map<String, String> sign(String secretText, String id, long ts, byte[] body) {
    return signer.sign(keyBytes(secretText), id, ts, body);
  }

  Map<String, String> sign(byte[] body) {
    return sign(secret, ID, TS, body);
  }

  WebhookKey key() {
    return scheme.parseKey(secret);
  }

  WebhookKey otherKey() {
    return scheme.parseKey(otherSecret);
  }

  /** The headers a message id travels in, if the scheme has one. */
  String idHeader() {
    switch (name) {
      case "standard-webhooks":
        return "webhook-id";
      case "svix":
        return "svix-id";
      case "github":
        return "X-GitHub-Delivery";
      case "shopify":
        return "X-Shopify-Webhook-Id";
      default:
        return null;
    }
  }

  @Override
  public String toString() {
    return name;
  }

  static Map<String, String> headers(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  static byte[] hmac(byte[] key, String prefix, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update(prefix.getBytes(StandardCharsets.UTF_8));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
