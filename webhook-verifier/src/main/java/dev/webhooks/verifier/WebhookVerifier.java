package dev.webhooks.verifier;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webhooks.core.secret.WebhookKey;
import dev.webhooks.core.signature.SignatureScheme;
import dev.webhooks.core.signature.VerifiedSignature;
import dev.webhooks.core.signature.WebhookHeaders;
import dev.webhooks.core.signature.WebhookVerificationException;
import dev.webhooks.core.signature.WebhookVerificationException.Reason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies incoming webhook requests in one call. Immutable and thread-safe: build one per sender
 * you receive from and share it.
 *
 * <pre>{@code
 * WebhookVerifier verifier = WebhookVerifier.builder()
 *     .scheme(SignatureScheme.standardWebhooks())  // or .stripe(), .github(), .slack(), .shopify(), .hmacHex("X-Signature")
 *     .secret("whsec_…")                           // repeatable: every secret is tried (rotation)
 *     .tolerance(Duration.ofMinutes(5))            // default 5 min, both directions
 *     .build();
 * VerifiedWebhook hook = verifier.verify(headers, rawBody);  // headers in any case
 * MyEvent event = hook.as(MyEvent.class);
 * }</pre>
 *
 * <p>Pass the body exactly as received, before any JSON parsing: a re-serialised body no longer
 * matches its signature.
 */
public final class WebhookVerifier {
  private static final Logger log = LoggerFactory.getLogger(WebhookVerifier.class);

  /** Shared default mapper; an ObjectMapper is thread-safe once configured, and this one never is. */
  private static final ObjectMapper DEFAULT_MAPPER = new ObjectMapper();

  /** The tolerance used unless {@link Builder#tolerance} says otherwise. */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

  private final SignatureScheme scheme;
  private final List<WebhookKey> keys;
  private final List<String> secretTexts;
  private final Duration tolerance;
  private final Clock clock;
  private final ReplayGuard replayGuard;
  private final ObjectMapper mapper;

  private WebhookVerifier(Builder b, List<WebhookKey> keys) {
    this.scheme = b.scheme;
    this.keys = keys;
    this.secretTexts = List.copyOf(b.secretTexts);
    this.tolerance = b.tolerance;
    this.clock = b.clock;
    this.replayGuard = b.replayGuard;
    this.mapper = b.mapper;
  }

  /** A builder with the defaults: Standard Webhooks, 5 minutes, system UTC clock, no replay guard. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this verifier's settings and keys. */
  public Builder newBuilder() {
    Builder b = new Builder();
    b.scheme = scheme;
    b.secretTexts.addAll(secretTexts);
    b.keys.addAll(keys.subList(0, keys.size() - secretTexts.size()));
    b.tolerance = tolerance;
    b.clock = clock;
    b.replayGuard = replayGuard;
    b.mapper = mapper;
    return b;
  }

  /**
   * Verifies a request.
   *
   * @param headers the request headers, names in any case
   * @param body the raw body bytes, exactly as received; kept, not copied, by the result: do not modify them afterwards
   * @return the verified webhook
   * @throws WebhookVerificationException with a specific {@link Reason} when the request must be
   *     refused
   */
  public VerifiedWebhook verify(Map<String, ? extends List<String>> headers, byte[] body) {
    return verify(WebhookHeaders.of(requireNonNull(headers, "headers == null")), body);
  }

  /**
   * Verifies a request whose headers are already a {@link WebhookHeaders} view (for instance
   * {@link WebhookHeaders#ofSingleValues} over a single-valued map).
   *
   * @throws WebhookVerificationException with a specific {@link Reason} when the request must be
   *     refused
   */
  public VerifiedWebhook verify(WebhookHeaders headers, byte[] body) {
    requireNonNull(headers, "headers == null");
    requireNonNull(body, "body == null");
    Instant now = clock.instant();
    VerifiedSignature signature;
    try {
      signature = scheme.verify(headers, body, keys, now, tolerance);
    } catch (WebhookVerificationException e) {
      log.debug("webhook refused by {}: {} ({})", scheme.name(), e.reason(), e.getMessage());
      throw e;
    }
    if (replayGuard != ReplayGuard.NONE
        && !replayGuard.markSeen(signature.replayKey(), signature.timestamp().orElse(now).plus(tolerance), now)) {
      log.debug("webhook {} refused by {}: REPLAYED", signature.id().orElse("<no id>"), scheme.name());
      throw new WebhookVerificationException(Reason.REPLAYED, "this message was already accepted");
    }
    if (log.isDebugEnabled()) {
      log.debug("webhook {} verified by {}", signature.id().orElse("<no id>"), scheme.name());
    }
    return new VerifiedWebhook(signature, body, mapper);
  }

  /**
   * Tells the replay guard to forget {@code hook}, so that the sender's retry of it is accepted.
   * Call it when handling a verified webhook failed and you answer with an error.
   */
  public void forget(VerifiedWebhook hook) {
    replayGuard.forget(requireNonNull(hook, "hook == null").signature().replayKey());
  }

  public SignatureScheme scheme() {
    return scheme;
  }

  public Duration tolerance() {
    return tolerance;
  }

  /** The scheme and the number of keys; never the keys. */
  @Override
  public String toString() {
    return "WebhookVerifier[scheme=" + scheme.name() + ", keys=" + keys.size()
        + ", tolerance=" + tolerance + ", replayGuard=" + replayGuard + "]";
  }

  /** Builds a {@link WebhookVerifier}. Not thread-safe. */
  public static final class Builder {
    private SignatureScheme scheme = SignatureScheme.standardWebhooks();
    private final List<WebhookKey> keys = new ArrayList<>();
    private final List<String> secretTexts = new ArrayList<>();
    private Duration tolerance = DEFAULT_TOLERANCE;
    private Clock clock = Clock.systemUTC();
    private ReplayGuard replayGuard = ReplayGuard.NONE;
    private ObjectMapper mapper = DEFAULT_MAPPER;

    private Builder() {}

    /** The signature scheme. Default {@link SignatureScheme#standardWebhooks()}. */
    public Builder scheme(SignatureScheme scheme) {
      this.scheme = requireNonNull(scheme, "scheme == null");
      return this;
    }

    /**
     * Adds a secret as the scheme's senders write it ({@code whsec_…} or {@code whpk_…} for
     * Standard Webhooks, the plain text for Stripe, GitHub, Slack, Shopify and hex HMAC). Repeatable:
     * a request is accepted when it matches any of them. Read by the scheme at {@link #build()}.
     */
    public Builder secret(String secret) {
      requireNonNull(secret, "secret == null");
      if (secret.isEmpty()) {
        throw new IllegalArgumentException("secret is empty");
      }
      secretTexts.add(secret);
      return this;
    }

    /** Adds a key object ({@code WebhookSecret}, {@code Ed25519VerifyingKey}, …). Repeatable. */
    public Builder key(WebhookKey key) {
      keys.add(requireNonNull(key, "key == null"));
      return this;
    }

    /**
     * How far a signed timestamp may be from now, in either direction. Default 5 minutes; must be
     * positive. Schemes that sign no timestamp (GitHub, Shopify, hex HMAC) ignore it, except to
     * size the replay guard's window.
     */
    public Builder tolerance(Duration tolerance) {
      requireNonNull(tolerance, "tolerance == null");
      if (tolerance.isNegative() || tolerance.isZero()) {
        throw new IllegalArgumentException("tolerance must be positive: " + tolerance);
      }
      this.tolerance = tolerance;
      return this;
    }

    /** The clock that says what "now" is. Default {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock == null");
      return this;
    }

    /** Refuses messages already accepted within their window. Default {@link ReplayGuard#NONE}. */
    public Builder replayGuard(ReplayGuard replayGuard) {
      this.replayGuard = requireNonNull(replayGuard, "replayGuard == null");
      return this;
    }

    /** The Jackson mapper behind {@link VerifiedWebhook#json()} and {@code as(…)}. Default: a plain one. */
    public Builder objectMapper(ObjectMapper mapper) {
      this.mapper = requireNonNull(mapper, "mapper == null");
      return this;
    }

    /**
     * @throws IllegalStateException when no secret or key was given
     * @throws dev.webhooks.core.WebhookValidationException {@code INVALID_SECRET} when a secret
     *     text is malformed for the scheme; the message never quotes it
     */
    public WebhookVerifier build() {
      if (keys.isEmpty() && secretTexts.isEmpty()) {
        throw new IllegalStateException("a verifier needs at least one secret or key");
      }
      // Explicit keys first, then the texts decoded by the final scheme; newBuilder() relies on it.
      List<WebhookKey> all = new ArrayList<>(keys);
      for (String text : secretTexts) {
        all.add(scheme.parseKey(text));
      }
      return new WebhookVerifier(this, List.copyOf(all));
    }
  }
}
