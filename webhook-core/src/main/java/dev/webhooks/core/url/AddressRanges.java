package dev.webhooks.core.url;

import java.util.List;
import java.util.Optional;

/**
 * The table of address ranges a webhook must never be sent to, each with the category named in
 * error messages. It is explicit on purpose: the JDK's {@code isSiteLocalAddress()} and friends
 * miss CGNAT, benchmarking, documentation, NAT64, 6to4, Teredo, IPv4-mapped and unique-local
 * addresses. Sources: the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890).
 *
 * <p>IPv4 addresses outside the table are public. IPv6 addresses are public only inside global
 * unicast {@code 2000::/3}, minus the special ranges listed before it.
 */
final class AddressRanges {
  private AddressRanges() {}

  /** A block and its category; a {@code null} category marks a public block. */
  private record Range(Cidr cidr, String category) {}

  private static final List<Range> IPV4 = List.of(
      range("0.0.0.0/8", "unspecified (this network)"),
      range("10.0.0.0/8", "private"),
      range("100.64.0.0/10", "shared address space (CGNAT)"),
      range("127.0.0.0/8", "loopback"),
      range("169.254.0.0/16", "link-local (cloud metadata)"),
      range("172.16.0.0/12", "private"),
      range("192.0.0.0/24", "IETF protocol assignments"),
      range("192.0.2.0/24", "documentation"),
      range("192.88.99.0/24", "6to4 relay anycast"),
      range("192.168.0.0/16", "private"),
      range("198.18.0.0/15", "benchmarking"),
      range("198.51.100.0/24", "documentation"),
      range("203.0.113.0/24", "documentation"),
      range("224.0.0.0/4", "multicast"),
      range("255.255.255.255/32", "broadcast"),
      range("240.0.0.0/4", "reserved"));

  private static final List<Range> IPV6 = List.of(
      range("::/128", "unspecified"),
      range("::1/128", "loopback"),
      range("::ffff:0:0/96", "IPv4-mapped"),
      range("::/96", "IPv4-compatible"),
      range("64:ff9b::/96", "NAT64"),
      range("64:ff9b:1::/48", "NAT64 (local use)"),
      range("100::/64", "discard-only"),
      range("fc00::/7", "unique-local"),
      range("fe80::/10", "link-local"),
      range("fec0::/10", "site-local"),
      range("ff00::/8", "multicast"),
      range("2001::/32", "Teredo"),
      range("2001:2::/48", "benchmarking"),
      range("2001:10::/28", "ORCHID"),
      range("2001:20::/28", "ORCHIDv2"),
      range("2001:db8::/32", "documentation"),
      range("2002::/16", "6to4"),
      range("3fff::/20", "documentation"),
      range("2000::/3", null));

  private static Range range(String cidr, String category) {
    return new Range(Cidr.parse(cidr), category);
  }

  /**
   * Why {@code address} (4 or 16 bytes) is not public, e.g. {@code "loopback"}; empty when it is
   * public.
   */
  static Optional<String> refusal(byte[] address) {
    boolean ipv4 = address.length == 4;
    for (Range range : ipv4 ? IPV4 : IPV6) {
      if (range.cidr().contains(address)) {
        return Optional.ofNullable(range.category());
      }
    }
    return ipv4 ? Optional.empty() : Optional.of("not global unicast");
  }
}
