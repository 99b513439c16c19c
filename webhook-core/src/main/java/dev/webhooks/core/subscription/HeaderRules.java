package dev.webhooks.core.subscription;

import dev.webhooks.core.internal.Echo;
import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The rules for custom headers: RFC 9110 token names, values of visible ASCII, space and tab, and
 * no header that the HTTP layer or the signature schemes own. Messages name the header, never its
 * value.
 */
final class HeaderRules {
  static final int MAX_NAME = 64;

  /** Reserved names, lower case: framing, hop-by-hop, and the signature schemes' headers. */
  static final Set<String> RESERVED = Set.of(
      "host", "content-type", "content-length", "content-encoding", "transfer-encoding",
      "connection", "keep-alive", "upgrade", "te", "trailer", "expect", "user-agent",
      "proxy-authorization", "proxy-connection",
      "x-signature", "stripe-signature", "x-hub-signature", "x-hub-signature-256");

  /** Reserved prefixes, lower case: Standard Webhooks, Svix, and proxy headers. */
  static final List<String> RESERVED_PREFIXES = List.of("webhook-", "svix-", "proxy-");

  private final Set<String> extraReserved;

  /** @param extraReserved further reserved names, already lower case */
  HeaderRules(Set<String> extraReserved) {
    this.extraReserved = extraReserved;
  }

  /** Whether {@code name} is a non-empty RFC 9110 token. */
  static boolean isToken(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (!isTchar(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isTchar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }

  /** Checks every header in order; throws for the first one at fault. */
  void check(Map<String, String> headers) {
    if (headers.size() > SubscriptionValidator.MAX_HEADERS) {
      throw invalid("headers", "at most " + SubscriptionValidator.MAX_HEADERS
          + " custom headers are allowed, got " + headers.size());
    }
    Set<String> seen = new HashSet<>();
    for (Map.Entry<String, String> header : headers.entrySet()) {
      String name = checkName(header.getKey());
      String lower = name.toLowerCase(Locale.ROOT);
      String field = "headers." + name;
      if (isReserved(lower)) {
        throw invalid(field, "header " + Echo.describe(name)
            + " is reserved: the sender sets it itself");
      }
      if (!seen.add(lower)) {
        throw invalid(field, "header " + Echo.describe(name)
            + " is given twice (header names are case-insensitive)");
      }
      checkValue(name, field, header.getValue());
    }
  }

  private static String checkName(String name) {
    if (name == null) {
      throw invalid("headers", "a header name is null");
    }
    if (name.isEmpty()) {
      throw invalid("headers", "a header name is empty");
    }
    if (name.length() > MAX_NAME) {
      throw invalid("headers", "header name " + Echo.describe(name) + " is longer than "
          + MAX_NAME + " characters");
    }
    if (!isToken(name)) {
      throw invalid("headers", "header name " + Echo.describe(name)
          + " is not a valid HTTP token: use letters, digits and !#$%&'*+-.^_`|~ only");
    }
    return name;
  }

  private boolean isReserved(String lower) {
    if (RESERVED.contains(lower) || extraReserved.contains(lower)) {
      return true;
    }
    for (String prefix : RESERVED_PREFIXES) {
      if (lower.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private static void checkValue(String name, String field, String value) {
    if (value == null) {
      throw invalid(field, "the value of header " + Echo.describe(name) + " is null");
    }
    if (value.length() > SubscriptionValidator.MAX_HEADER_VALUE) {
      throw invalid(field, "the value of header " + Echo.describe(name) + " is longer than "
          + SubscriptionValidator.MAX_HEADER_VALUE + " characters");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!(c >= 0x20 && c <= 0x7e) && c != '\t') {
        throw invalid(field, "the value of header " + Echo.describe(name) + " contains "
            + Inputs.describeChar(value.codePointAt(i)) + " at index " + i
            + ": values hold visible ASCII, spaces and tabs only");
      }
    }
  }

  private static WebhookValidationException invalid(String field, String message) {
    return new WebhookValidationException(ErrorCode.INVALID_HEADERS, field, message);
  }
}
