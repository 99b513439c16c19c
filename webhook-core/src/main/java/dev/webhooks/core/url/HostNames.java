package dev.webhooks.core.url;

import java.util.List;
import java.util.Optional;

/**
 * The rules for host names (not IP literals): RFC 1123 letters-digits-hyphen labels, at least two
 * labels, and none of the names that are special-use, internal, or public wildcards that resolve to
 * whatever address is spelled inside them.
 */
final class HostNames {
  private HostNames() {}

  static final int MAX_LENGTH = 253;
  static final int MAX_LABEL_LENGTH = 63;

  /** A suffix refused as the whole name or as its parent domain, and why. */
  private record Special(String suffix, String why) {}

  // Longer suffixes before the shorter ones they end with, so the message is the most specific.
  private static final List<Special> SPECIAL = List.of(
      new Special("localhost", "a loopback name"),
      new Special("local", "a multicast DNS (mDNS) name"),
      new Special("internal", "a private-use internal name"),
      new Special("localdomain", "a private-use local name"),
      new Special("lan", "a private-use local name"),
      new Special("home.arpa", "a home-network name"),
      new Special("in-addr.arpa", "a reverse-DNS name"),
      new Special("ip6.arpa", "a reverse-DNS name"),
      new Special("arpa", "an infrastructure name"),
      new Special("onion", "a Tor onion name"),
      new Special("test", "a special-use name reserved for testing"),
      new Special("invalid", "a special-use name reserved as invalid"),
      new Special("example", "a special-use name reserved for documentation"),
      new Special("nip.io", "a wildcard DNS name that maps to the IP address written in it"),
      new Special("sslip.io", "a wildcard DNS name that maps to the IP address written in it"),
      new Special("xip.io", "a wildcard DNS name that maps to the IP address written in it"),
      new Special("localtest.me", "a public name that resolves to loopback"));

  /**
   * Why the syntax of {@code host} (lower case, no trailing dot) is not a valid host name; empty
   * when it is valid. Single-label names are valid here.
   */
  static Optional<String> syntaxProblem(String host) {
    if (host.length() > MAX_LENGTH) {
      return Optional.of("url host name is longer than " + MAX_LENGTH + " characters");
    }
    int start = 0;
    while (true) {
      int dot = host.indexOf('.', start);
      int end = dot < 0 ? host.length() : dot;
      Optional<String> problem = labelProblem(host, start, end);
      if (problem.isPresent()) {
        return problem;
      }
      if (dot < 0) {
        return Optional.empty();
      }
      start = dot + 1;
    }
  }

  private static Optional<String> labelProblem(String host, int start, int end) {
    if (start == end) {
      return Optional.of("host " + host + " has an empty label");
    }
    if (end - start > MAX_LABEL_LENGTH) {
      return Optional.of("host " + host + " has a label longer than " + MAX_LABEL_LENGTH + " characters");
    }
    for (int i = start; i < end; i++) {
      char c = host.charAt(i);
      if (c == '_') {
        return Optional.of("host " + host + " contains an underscore, which host names may not hold");
      }
      if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-') {
        return Optional.of("host " + host + " contains '" + c
            + "'; host names hold only letters, digits, hyphens and dots");
      }
    }
    if (host.charAt(start) == '-' || host.charAt(end - 1) == '-') {
      return Optional.of("host " + host + " has a label that starts or ends with a hyphen");
    }
    return Optional.empty();
  }

  /** Why {@code host} (lower case, valid syntax) is a special-use name; empty when it is not. */
  static Optional<String> specialUse(String host) {
    for (Special special : SPECIAL) {
      String suffix = special.suffix();
      if (host.equals(suffix) || host.endsWith("." + suffix)) {
        String rule = host.equals(suffix) ? suffix : "*." + suffix;
        return Optional.of("host " + host + " is " + special.why() + " (" + rule + ")");
      }
    }
    return Optional.empty();
  }

  /** Whether {@code host} has a single label, like {@code intranet} or {@code metadata}. */
  static boolean isSingleLabel(String host) {
    return host.indexOf('.') < 0;
  }
}
