package dev.webhooks.core.url;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link UrlPolicy#isAllowed} and {@link UrlPolicy#checkAddress} on addresses built from bytes. */
class UrlPolicyAddressTest {
  private final UrlPolicy strict = UrlPolicy.strict();

  /**
   * The first and last address of every range, and the addresses just outside it. Columns: the
   * address, whether it is allowed, and for refused ones the category in the message.
   */
  @ParameterizedTest(name = "[{index}] {0} -> {1} {2}")
  @CsvSource(delimiter = '|', textBlock = """
      0.0.0.0                                 | false | unspecified (this network)
      0.255.255.255                           | false | unspecified (this network)
      1.0.0.0                                 | true  |
      9.255.255.255                           | true  |
      10.0.0.0                                | false | private
      10.255.255.255                          | false | private
      11.0.0.0                                | true  |
      100.63.255.255                          | true  |
      100.64.0.0                              | false | shared address space (CGNAT)
      100.127.255.255                         | false | shared address space (CGNAT)
      100.128.0.0                             | true  |
      126.255.255.255                         | true  |
      127.0.0.0                               | false | loopback
      127.255.255.255                         | false | loopback
      128.0.0.0                               | true  |
      169.253.255.255                         | true  |
      169.254.0.0                             | false | link-local (cloud metadata)
      169.254.169.254                         | false | link-local (cloud metadata)
      169.254.255.255                         | false | link-local (cloud metadata)
      169.255.0.0                             | true  |
      172.15.255.255                          | true  |
      172.16.0.0                              | false | private
      172.31.255.255                          | false | private
      172.32.0.0                              | true  |
      191.255.255.255                         | true  |
      192.0.0.0                               | false | IETF protocol assignments
      192.0.0.255                             | false | IETF protocol assignments
      192.0.1.0                               | true  |
      192.0.1.255                             | true  |
      192.0.2.0                               | false | documentation
      192.0.2.255                             | false | documentation
      192.0.3.0                               | true  |
      192.88.98.255                           | true  |
      192.88.99.0                             | false | 6to4 relay anycast
      192.88.99.255                           | false | 6to4 relay anycast
      192.88.100.0                            | true  |
      192.167.255.255                         | true  |
      192.168.0.0                             | false | private
      192.168.255.255                         | false | private
      192.169.0.0                             | true  |
      198.17.255.255                          | true  |
      198.18.0.0                              | false | benchmarking
      198.19.255.255                          | false | benchmarking
      198.20.0.0                              | true  |
      198.51.99.255                           | true  |
      198.51.100.0                            | false | documentation
      198.51.100.255                          | false | documentation
      198.51.101.0                            | true  |
      203.0.112.255                           | true  |
      203.0.113.0                             | false | documentation
      203.0.113.255                           | false | documentation
      203.0.114.0                             | true  |
      223.255.255.255                         | true  |
      224.0.0.0                               | false | multicast
      239.255.255.255                         | false | multicast
      240.0.0.0                               | false | reserved
      255.255.255.254                         | false | reserved
      255.255.255.255                         | false | broadcast
      8.8.8.8                                 | true  |
      ::                                      | false | unspecified
      ::1                                     | false | loopback
      ::2                                     | false | IPv4-compatible
      ::ffff:ffff                             | false | IPv4-compatible
      ::1:0:0                                 | false | not global unicast
      ::fffe:ffff:ffff                        | false | not global unicast
      ::ffff:0:0                              | false | IPv4-mapped
      ::ffff:ffff:ffff                        | false | IPv4-mapped
      ::1:0:0:0                               | false | not global unicast
      64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff   | false | not global unicast
      64:ff9b::                               | false | NAT64
      64:ff9b::ffff:ffff                      | false | NAT64
      64:ff9b::1:0:0                          | false | not global unicast
      64:ff9b:1::                             | false | NAT64 (local use)
      64:ff9b:1:ffff:ffff:ffff:ffff:ffff      | false | NAT64 (local use)
      64:ff9b:2::                             | false | not global unicast
      100::                                   | false | discard-only
      100::ffff:ffff:ffff:ffff                | false | discard-only
      100:0:0:1::                             | false | not global unicast
      1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | false | not global unicast
      2000::                                  | true  |
      2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff | true  |
      2001::                                  | false | Teredo
      2001:0:ffff:ffff:ffff:ffff:ffff:ffff    | false | Teredo
      2001:1::                                | true  |
      2001:1:ffff:ffff:ffff:ffff:ffff:ffff    | true  |
      2001:2::                                | false | benchmarking
      2001:2:0:ffff:ffff:ffff:ffff:ffff       | false | benchmarking
      2001:2:1::                              | true  |
      2001:f:ffff:ffff:ffff:ffff:ffff:ffff    | true  |
      2001:10::                               | false | ORCHID
      2001:1f:ffff:ffff:ffff:ffff:ffff:ffff   | false | ORCHID
      2001:20::                               | false | ORCHIDv2
      2001:2f:ffff:ffff:ffff:ffff:ffff:ffff   | false | ORCHIDv2
      2001:30::                               | true  |
      2001:db7:ffff:ffff:ffff:ffff:ffff:ffff  | true  |
      2001:db8::                              | false | documentation
      2001:db8:ffff:ffff:ffff:ffff:ffff:ffff  | false | documentation
      2001:db9::                              | true  |
      2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff | true  |
      2002::                                  | false | 6to4
      2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff | false | 6to4
      2003::                                  | true  |
      2606:4700::1111                         | true  |
      3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff | true  |
      3fff::                                  | false | documentation
      3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff  | false | documentation
      3fff:1000::                             | true  |
      3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | true  |
      4000::                                  | false | not global unicast
      fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | false | not global unicast
      fc00::                                  | false | unique-local
      fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | false | unique-local
      fe00::                                  | false | not global unicast
      fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff | false | not global unicast
      fe80::                                  | false | link-local
      febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff | false | link-local
      fec0::                                  | false | site-local
      feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | false | site-local
      ff00::                                  | false | multicast
      ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | false | multicast
      """)
  void isAllowed_rangeBoundaries(String address, boolean allowed, String category)
      throws UnknownHostException {
    byte[] bytes = bytes(address);
    // InetAddress.getByAddress would turn ::ffff:a.b.c.d into an Inet4Address; keep IPv6 as IPv6.
    InetAddress inet = bytes.length == 4
        ? InetAddress.getByAddress(bytes)
        : Inet6Address.getByAddress(null, bytes, -1);
    assertEquals(allowed, strict.isAllowed(inet));
    if (allowed) {
      assertDoesNotThrow(() -> strict.checkAddress("hooks.example.com", inet));
    } else {
      WebhookValidationException e = assertThrows(WebhookValidationException.class,
          () -> strict.checkAddress("hooks.example.com", inet));
      assertEquals("host hooks.example.com resolves to a non-public address (" + category + ")",
          e.getMessage());
    }
  }

  @Test
  void isAllowed_ipv4MappedInet6Address_refused() throws UnknownHostException {
    byte[] mapped = bytes("::ffff:808:808"); // ::ffff:8.8.8.8, public as IPv4
    Inet6Address inet = Inet6Address.getByAddress(null, mapped, -1);
    assertInstanceOf(Inet6Address.class, inet);
    assertFalse(strict.isAllowed(inet));
    WebhookValidationException e = assertThrows(WebhookValidationException.class,
        () -> strict.checkAddress("dns.example.com", inet));
    assertTrue(e.getMessage().endsWith("(IPv4-mapped)"), e.getMessage());
  }

  @Test
  void isAllowed_ipv4MappedInet6Address_notAllowedByIpv4Cidr() throws UnknownHostException {
    UrlPolicy policy = UrlPolicy.builder().allowCidr("127.0.0.0/8").build();
    assertTrue(policy.isAllowed(InetAddress.getByAddress(new byte[] {127, 0, 0, 1})));
    assertFalse(policy.isAllowed(Inet6Address.getByAddress(null, bytes("::ffff:7f00:1"), -1)));
  }

  @Test
  void isAllowed_scopedLinkLocalInet6Address_refused() throws UnknownHostException {
    assertFalse(strict.isAllowed(Inet6Address.getByAddress("eth0-host", bytes("fe80::1"), 2)));
  }

  @Test
  void checkAddress_refused_namesHostAndCategoryWithCodeAndField() throws UnknownHostException {
    InetAddress loopback = InetAddress.getByAddress("hooks.example.com", new byte[] {127, 0, 0, 1});
    WebhookValidationException e = assertThrows(WebhookValidationException.class,
        () -> strict.checkAddress("hooks.example.com", loopback));
    assertEquals(ErrorCode.INVALID_URL, e.code());
    assertEquals(Optional.of("url"), e.field());
    assertEquals("host hooks.example.com resolves to a non-public address (loopback)", e.getMessage());
  }

  @Test
  void checkAddress_allowListedCidr_passes() throws UnknownHostException {
    UrlPolicy policy = UrlPolicy.builder().allowCidr("10.1.2.3").allowCidr("fd00::/8").build();
    assertDoesNotThrow(() -> policy.checkAddress("a.example.com",
        InetAddress.getByAddress(new byte[] {10, 1, 2, 3})));
    assertDoesNotThrow(() -> policy.checkAddress("a.example.com",
        InetAddress.getByAddress(bytes("fd12::1"))));
    assertThrows(WebhookValidationException.class, () -> policy.checkAddress("a.example.com",
        InetAddress.getByAddress(new byte[] {10, 1, 2, 4})));
    assertThrows(WebhookValidationException.class, () -> policy.checkAddress("a.example.com",
        InetAddress.getByAddress(bytes("fc00::1"))));
  }

  @Test
  void checkAddress_nullArguments_throwNullPointerException() throws UnknownHostException {
    InetAddress address = InetAddress.getByAddress(new byte[] {8, 8, 8, 8});
    assertThrows(NullPointerException.class, () -> strict.checkAddress(null, address));
    assertThrows(NullPointerException.class, () -> strict.checkAddress("a.example.com", null));
    assertThrows(NullPointerException.class, () -> strict.isAllowed(null));
  }

  /**
   * The bytes of a dotted quad or of an IPv6 address in hex groups with at most one {@code ::};
   * written here independently of the parser under test.
   */
  static byte[] bytes(String text) {
    if (text.indexOf(':') < 0) {
      String[] parts = text.split("\\.");
      byte[] bytes = new byte[4];
      for (int i = 0; i < 4; i++) {
        bytes[i] = (byte) Integer.parseInt(parts[i]);
      }
      return bytes;
    }
    int[] words = new int[8];
    int split = text.indexOf("::");
    String[] head = split < 0 ? text.split(":") : groups(text.substring(0, split));
    String[] tail = split < 0 ? new String[0] : groups(text.substring(split + 2));
    for (int i = 0; i < head.length; i++) {
      words[i] = Integer.parseInt(head[i], 16);
    }
    for (int i = 0; i < tail.length; i++) {
      words[8 - tail.length + i] = Integer.parseInt(tail[i], 16);
    }
    byte[] bytes = new byte[16];
    for (int i = 0; i < 8; i++) {
      bytes[2 * i] = (byte) (words[i] >> 8);
      bytes[2 * i + 1] = (byte) words[i];
    }
    return bytes;
  }

  private static String[] groups(String text) {
    return text.isEmpty() ? new String[0] : text.split(":");
  }
}
