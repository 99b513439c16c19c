package dev.webhooks.core.signature;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A case-insensitive, read-only view of request headers, over the caller's map without copying
 * it. Thread-safe as long as the map is not modified while in use.
 *
 * <pre>{@code
 * WebhookHeaders headers = WebhookHeaders.of(request.headers());        // Map<String, List<String>>
 * WebhookHeaders single = WebhookHeaders.ofSingleValues(Map.of("Webhook-Id", "msg_1"));
 * headers.first("webhook-id");                                          // any case
 * }</pre>
 */
public final class WebhookHeaders {
  private final Map<String, ? extends List<String>> multi;
  private final Map<String, String> single;

  private WebhookHeaders(Map<String, ? extends List<String>> multi, Map<String, String> single) {
    this.multi = multi;
    this.single = single;
  }

  /** A view of a multi-valued header map; names in any case, {@code null} values ignored. */
  public static WebhookHeaders of(Map<String, ? extends List<String>> headers) {
    return new WebhookHeaders(requireNonNull(headers, "headers == null"), null);
  }

  /** A view of a single-valued header map; names in any case, {@code null} values ignored. */
  public static WebhookHeaders ofSingleValues(Map<String, String> headers) {
    return new WebhookHeaders(null, requireNonNull(headers, "headers == null"));
  }

  /** The first value of the header {@code name}, in any case. */
  public Optional<String> first(String name) {
    List<String> values = all(name);
    return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /**
   * Every value of the header {@code name}, in any case, in map order (a map may hold the same name
   * in several spellings; all count).
   */
  public List<String> all(String name) {
    requireNonNull(name, "name == null");
    List<String> out = new ArrayList<>(1);
    if (multi != null) {
      for (Map.Entry<String, ? extends List<String>> e : multi.entrySet()) {
        if (e.getKey() != null && e.getValue() != null && e.getKey().equalsIgnoreCase(name)) {
          for (String v : e.getValue()) {
            if (v != null) {
              out.add(v);
            }
          }
        }
      }
    } else {
      for (Map.Entry<String, String> e : single.entrySet()) {
        if (e.getKey() != null && e.getValue() != null && e.getKey().equalsIgnoreCase(name)) {
          out.add(e.getValue());
        }
      }
    }
    return out;
  }

  /** Names only: header values may hold signatures. */
  @Override
  public String toString() {
    return "WebhookHeaders" + (multi != null ? multi.keySet() : single.keySet());
  }
}
