package dev.webhooks.verifier;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webhooks.core.signature.VerifiedSignature;
import dev.webhooks.core.signature.WebhookVerificationException;
import dev.webhooks.core.signature.WebhookVerificationException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * A request whose signature verified: its id and timestamp where the scheme carries them, and its
 * body, raw or read as JSON. Immutable and thread-safe.
 *
 * <pre>{@code
 * VerifiedWebhook hook = verifier.verify(headers, body);
 * String id = hook.id().orElseThrow();       // de-duplicate on it
 * JsonNode event = hook.json();
 * LookupCompleted data = hook.as(LookupCompleted.class);
 * }</pre>
 */
public final class VerifiedWebhook {
  private final VerifiedSignature signature;
  private final byte[] body;
  private final ObjectMapper mapper;
  private volatile JsonNode json;

  VerifiedWebhook(VerifiedSignature signature, byte[] body, ObjectMapper mapper) {
    this.signature = signature;
    this.body = body; // the verifier's caller's array, not copied: body() hands out copies
    this.mapper = mapper;
  }

  /** The message id ({@code webhook-id}, {@code X-GitHub-Delivery}, …) if the scheme has one. */
  public Optional<String> id() {
    return signature.id();
  }

  /** The signed timestamp, if the scheme signs one. */
  public Optional<Instant> timestamp() {
    return signature.timestamp();
  }

  /** A copy of the raw body. */
  public byte[] body() {
    return body.clone();
  }

  /** The body decoded as UTF-8. */
  public String bodyAsString() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /**
   * The body as a JSON tree, parsed once. Do not mutate the returned node.
   *
   * @throws WebhookVerificationException {@link Reason#MALFORMED_PAYLOAD} when it is not JSON
   */
  public JsonNode json() {
    JsonNode node = json;
    if (node == null) {
      try {
        node = mapper.readTree(body);
      } catch (IOException e) {
        throw malformed(e);
      }
      if (node == null || node.isMissingNode()) {
        throw new WebhookVerificationException(Reason.MALFORMED_PAYLOAD, "body is empty");
      }
      json = node;
    }
    return node;
  }

  /**
   * The body read into {@code type} with the verifier's Jackson mapper.
   *
   * @throws WebhookVerificationException {@link Reason#MALFORMED_PAYLOAD} when it does not map
   */
  public <T> T as(Class<T> type) {
    try {
      return mapper.readValue(body, type);
    } catch (IOException e) {
      throw malformed(e);
    }
  }

  /** The body read into a generic type, e.g. {@code new TypeReference<Map<String, Object>>() {}}. */
  public <T> T as(TypeReference<T> type) {
    try {
      return mapper.readValue(body, type);
    } catch (IOException e) {
      throw malformed(e);
    }
  }

  VerifiedSignature signature() {
    return signature;
  }

  /** Jackson's messages may quote the payload: keep only the exception type. */
  private static WebhookVerificationException malformed(IOException e) {
    return new WebhookVerificationException(
        Reason.MALFORMED_PAYLOAD, "body does not read as the requested JSON (" + e.getClass().getSimpleName() + ")");
  }

  /** Id, timestamp and size; never the body. */
  @Override
  public String toString() {
    return "VerifiedWebhook[id=" + id().orElse(null) + ", timestamp=" + timestamp().orElse(null)
        + ", bytes=" + body.length + "]";
  }
}
