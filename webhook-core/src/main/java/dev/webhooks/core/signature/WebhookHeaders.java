package dev.webhooks.core.signature;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Collections;
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
   * in several spellings; all count). Read-only.
   */
  public List<String> all(String name) {
    requireNonNull(name, "name == null");
    // One scan, no copy in the usual case of one spelling without nulls: this runs several times
    // per verify over every header of the request, so names of another length cost one compare.
    List<String> found = null;
    boolean owned = false;
    if (multi != null) {
      for (Map.Entry<String, ? extends List<String>> e : multi.entrySet()) {
        String key = e.getKey();
        List<String> values = e.getValue();
        if (key == null || values == null || key.length() != name.length() || !key.equalsIgnoreCase(name)) {
          continue;
        }
        if (found == null && noNulls(values)) {
          found = Collections.unmodifiableList(values);
          continue;
        }
        if (!owned) {
          found = found == null ? new ArrayList<>(values.size()) : new ArrayList<>(found);
          owned = true;
        }
        for (String v : values) {
          if (v != null) {
            found.add(v);
          }
        }
      }
    } else {
      for (Map.Entry<String, String> e : single.entrySet()) {
        String key = e.getKey();
        if (key == null || e.getValue() == null || key.length() != name.length() || !key.equalsIgnoreCase(name)) {
          continue;
        }
        if (found == null) {
          found = List.of(e.getValue());
          continue;
        }
        if (!owned) {
          found = new ArrayList<>(found);
          owned = true;
        }
        found.add(e.getValue());
      }
    }
    return found == null ? List.of() : owned ? Collections.unmodifiableList(found) : found;
  }

  /**
   * {@link #all(String)} of each of {@code names} (lower-case, distinct), in one scan of the map, into
   * {@code found[i]}: {@code null} where the request has no such header. A verify needs several
   * headers of a request that has many, on every call: no iterator over the names, no list of
   * results, and a header name is compared only with names of its length, ASCII first. The lists
   * may be the map's own: read them only.
   */
  @SuppressWarnings("unchecked")
  void find(String[] names, Object[] found) {
    for (int i = 0; i < names.length; i++) {
      found[i] = null;
    }
    if (single != null) {
      for (int i = 0; i < names.length; i++) {
        List<String> values = all(names[i]);
        found[i] = values.isEmpty() ? null : values;
      }
      return;
    }
    // The lengths of the names, as bits: most headers of a request are passed over on one test.
    long lengths = 0;
    for (String name : names) {
      lengths |= name.length() < 64 ? 1L << name.length() : 1L << 63;
    }
    boolean[] owned = null; // allocated only for a name given in several spellings or with nulls
    for (Map.Entry<String, ? extends List<String>> e : multi.entrySet()) {
      String key = e.getKey();
      if (key == null) {
        continue;
      }
      int length = key.length();
      if ((lengths & 1L << Math.min(length, 63)) == 0) {
        continue;
      }
      for (int i = 0; i < names.length; i++) {
        // equals first: the usual spelling is all lower case (HTTP/2, most servers), compared in
        // one go; any other is compared character by character.
        String name = names[i];
        if (name.length() != length || !(key.equals(name) || sameAsLowerCase(key, name))) {
          continue;
        }
        List<String> values = e.getValue();
        if (values == null) {
          break;
        }
        List<String> sofar = (List<String>) found[i];
        if (sofar == null && noNulls(values)) {
          found[i] = values; // read-only use inside this package: no copy
          break; // the names are distinct: a header is one of them at most
        }
        owned = owned != null ? owned : new boolean[names.length];
        if (!owned[i]) {
          sofar = sofar == null ? new ArrayList<>(values.size()) : new ArrayList<>(sofar);
          owned[i] = true;
          found[i] = sofar;
        }
        for (String v : values) {
          if (v != null) {
            sofar.add(v);
          }
        }
        break;
      }
    }
    for (int i = 0; owned != null && i < names.length; i++) {
      if (owned[i] && ((List<String>) found[i]).isEmpty()) {
        found[i] = null; // only null values: absent, as all(String) says
      }
    }
  }

  /**
   * {@code key.equalsIgnoreCase(lower)} for a lower-case {@code lower} of the same length: ASCII
   * compared inline, and any other character left to {@code equalsIgnoreCase}, which folds a few
   * of them (the Kelvin sign, the long s) onto ASCII letters.
   */
  private static boolean sameAsLowerCase(String key, String lower) {
    for (int k = 0; k < lower.length(); k++) {
      char c = key.charAt(k);
      char n = lower.charAt(k);
      if (c != n && (c < 'A' || c > 'Z' || c + ('a' - 'A') != n)) {
        return c >= 0x80 && key.equalsIgnoreCase(lower);
      }
    }
    return true;
  }

  private static boolean noNulls(List<String> values) {
    for (int i = 0, n = values.size(); i < n; i++) { // no iterator: runs for every header found
      if (values.get(i) == null) {
        return false;
      }
    }
    return true;
  }

  /** Names only: header values may hold signatures. */
  @Override
  public String toString() {
    return "WebhookHeaders" + (multi != null ? multi.keySet() : single.keySet());
  }
}
