package dev.webhooks.core.url;

import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The syntactic half of {@link UrlPolicy#check(String)}: characters, length, scheme, and the split
 * of the authority into host and port, with no user info and no fragment. Messages never repeat
 * the user info, path or query of the URL.
 */
final class UrlSyntax {
  private UrlSyntax() {}

  /**
   * A URL that passed the syntax rules.
   *
   * @param uri the URL as parsed by {@link URI}
   * @param scheme {@code https} or {@code http}, lower case
   * @param host the host as written, lower case; IPv6 literals keep their brackets
   * @param port 1..65535, or -1 when absent
   */
  record Parsed(URI uri, String scheme, String host, int port) {}

  static Parsed parse(String url, int maxLength, boolean allowHttp) {
    if (url == null || url.isBlank()) {
      throw invalid("url is required");
    }
    if (url.length() > maxLength) {
      throw invalid("url is longer than " + maxLength + " characters");
    }
    checkCharacters(url);
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      // getReason() never repeats the input, unlike getMessage().
      throw invalid("url is malformed: " + e.getReason());
    }
    String scheme = scheme(uri, allowHttp);
    String authority = uri.getRawAuthority();
    if (authority == null || authority.isEmpty()) {
      throw invalid("url must have a host");
    }
    if (authority.indexOf('@') >= 0) {
      throw invalid("url must not contain user info (user@host); send credentials in a header");
    }
    if (uri.getRawFragment() != null) {
      throw invalid("url must not have a fragment (#…)");
    }
    String host = authority;
    String port = null;
    if (authority.startsWith("[")) {
      // java.net.URI has checked that a '[' opens a bracketed literal that a ']' closes.
      int close = authority.indexOf(']');
      host = authority.substring(0, close + 1);
      String rest = authority.substring(close + 1);
      if (!rest.isEmpty()) {
        if (rest.charAt(0) != ':') {
          throw invalid("url host is malformed after the IPv6 literal");
        }
        port = rest.substring(1);
      }
    } else if (authority.lastIndexOf(':') >= 0) {
      host = authority.substring(0, authority.lastIndexOf(':'));
      port = authority.substring(authority.lastIndexOf(':') + 1);
    }
    return new Parsed(uri, scheme, host.toLowerCase(Locale.ROOT), port == null ? -1 : port(port));
  }

  private static void checkCharacters(String url) {
    for (int i = 0; i < url.length(); i++) {
      char c = url.charAt(i);
      if (c == ' ' || Character.isWhitespace(c) || Character.isSpaceChar(c)) {
        throw invalid("url must not contain whitespace; percent-encode it");
      }
      if (Character.isISOControl(c)) {
        throw invalid("url must not contain control characters");
      }
      if (c == '\\') {
        throw invalid("url must not contain a backslash");
      }
      if (c > 0x7e) {
        throw invalid("url must be ASCII: write international host names in their punycode "
            + "(xn--) form and percent-encode the path");
      }
    }
  }

  private static String scheme(URI uri, boolean allowHttp) {
    if (uri.getScheme() == null) {
      throw invalid("url must be absolute, starting with https://");
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("http") && !allowHttp) {
      throw invalid("url must use https; http is not allowed");
    }
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw invalid("url scheme " + scheme + " is not allowed; use https");
    }
    if (uri.isOpaque()) {
      throw invalid("url must be hierarchical, starting with " + scheme + "://");
    }
    return scheme;
  }

  private static int port(String text) {
    boolean digits = !text.isEmpty() && text.length() <= 5;
    for (int i = 0; digits && i < text.length(); i++) {
      digits = text.charAt(i) >= '0' && text.charAt(i) <= '9';
    }
    int port = digits ? Integer.parseInt(text) : -1;
    if (port < 1 || port > 65535) {
      throw invalid("url port must be a number from 1 to 65535");
    }
    return port;
  }

  /** The one exception {@link UrlPolicy} throws for a refused URL. */
  static WebhookValidationException invalid(String message) {
    return new WebhookValidationException(ErrorCode.INVALID_URL, "url", message);
  }
}
