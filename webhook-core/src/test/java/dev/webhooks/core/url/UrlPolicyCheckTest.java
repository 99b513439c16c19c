package dev.webhooks.core.url;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UrlPolicyCheckTest {
  private final UrlPolicy strict = UrlPolicy.strict();

  /**
   * Every rule of {@link UrlPolicy#check(String)} under the strict policy. Columns: the URL;
   * {@code ok} or {@code refused}; for {@code ok}, the normalised URI (blank: unchanged), for
   * {@code refused}, a substring of the message (often the category of the address).
   */
  @ParameterizedTest(name = "[{index}] {0} -> {1} {2}")
  @CsvSource(delimiter = '|', textBlock = """
      # --- allowed public URLs, and their normalised form
      https://example.com/hook                         | ok      |
      https://hooks.example.com:8443/a?b=c             | ok      |
      https://[2606:4700::1111]/x                      | ok      |
      https://8.8.8.8/x                                | ok      |
      https://1.1.1.1                                  | ok      |
      https://example.com                              | ok      |
      https://example.com?q=1                          | ok      |
      https://example.com:443/                         | ok      |
      https://example.com:1/                           | ok      |
      https://example.com:65535/                       | ok      |
      https://example.org/path/to/hook?x=1&y=2         | ok      |
      https://sub-domain.example.co.uk/a%20b           | ok      |
      https://example.com/@not-userinfo                | ok      |
      https://xn--bcher-kva.com/                       | ok      |
      https://0x7f.example.com/                        | ok      |
      https://127.example.com/                         | ok      |
      https://[2001:4860:4860::8888]:8443/             | ok      |
      https://[2001:db9::1]/                           | ok      |
      https://[3fff:1000::1]/                          | ok      |
      https://[2003::1]/                               | ok      |
      https://172.15.255.255/                          | ok      |
      https://172.32.0.0/                              | ok      |
      https://100.128.0.0/                             | ok      |
      https://223.255.255.255/                         | ok      |
      HTTPS://Example.COM/Hook?Q=A                     | ok      | https://example.com/Hook?Q=A
      https://EXAMPLE.com./hook                        | ok      | https://example.com/hook
      https://8.8.8.8./x                               | ok      | https://8.8.8.8/x
      https://[2606:4700:0:0:0:0:0:1111]/              | ok      |
      https://[2606:4700::ABCD]/                       | ok      | https://[2606:4700::abcd]/
      # --- blank, characters
      ''                                               | refused | url is required
      '   '                                            | refused | url is required
      'https://exa mple.com/'                          | refused | whitespace
      'https://example.com/a b'                        | refused | whitespace
      https://example.com\\@127.0.0.1                  | refused | backslash
      https://exämple.com/                             | refused | xn--
      https://例え.jp/                                  | refused | xn--
      https://example.com/ä                            | refused | ASCII
      https://example.com/?t=%zz                       | refused | malformed
      # --- schemes
      http://example.com/                              | refused | must use https
      HTTP://example.com/                              | refused | must use https
      ftp://example.com/                               | refused | scheme ftp
      file:///etc/passwd                               | refused | scheme file
      javascript:alert(1)                              | refused | scheme javascript
      gopher://example.com:70/                         | refused | scheme gopher
      ws://example.com/                                | refused | scheme ws
      mailto:hooks@example.com                         | refused | scheme mailto
      data:text/html,x                                 | refused | scheme data
      example.com/hook                                 | refused | absolute
      //example.com/hook                               | refused | absolute
      /hook                                            | refused | absolute
      https:example.com                                | refused | hierarchical
      https:///hook                                    | refused | must have a host
      https://                                         | refused | malformed
      # --- user info, fragments
      https://user@example.com/                        | refused | user info
      https://user:pass@example.com/                   | refused | user info
      https://@example.com/                            | refused | user info
      https://example.com@127.0.0.1                    | refused | user info
      https://a@b@c                                    | refused | user info
      https://127.0.0.1#@example.com                   | refused | fragment
      https://example.com/hook#section                 | refused | fragment
      https://example.com/#                            | refused | fragment
      # --- ports
      https://example.com:0/                           | refused | port
      https://example.com:65536/                       | refused | port
      https://example.com:99999999999/                 | refused | port
      https://example.com:-1/                          | refused | port
      https://example.com:/                            | refused | port
      https://example.com:8o/                          | refused | port
      https://[2606:4700::1111]:0/                     | refused | port
      # --- odd IPv4 spellings, refused even when their value is public
      https://2130706433/                              | refused | non-canonical IPv4
      https://0x7f.1/                                  | refused | non-canonical IPv4
      https://127.1/                                   | refused | non-canonical IPv4
      https://0177.0.0.1/                              | refused | non-canonical IPv4
      https://127.000.000.001/                         | refused | non-canonical IPv4
      https://127.0.0.01/                              | refused | non-canonical IPv4
      https://0x7f000001/                              | refused | non-canonical IPv4
      https://0x7F.0.0.1/                              | refused | non-canonical IPv4
      https://017700000001/                            | refused | non-canonical IPv4
      https://1.1/                                     | refused | non-canonical IPv4
      https://0/                                       | refused | non-canonical IPv4
      https://0x/                                      | refused | non-canonical IPv4
      https://134744072/                               | refused | non-canonical IPv4
      https://0x08080808/                              | refused | non-canonical IPv4
      https://8.8.8.08/                                | refused | non-canonical IPv4
      https://256.1.1.1/                               | refused | non-canonical IPv4
      https://1.2.3.4.5/                               | refused | non-canonical IPv4
      https://example.123/                             | refused | non-canonical IPv4
      https://example.0x1f/                            | refused | non-canonical IPv4
      # --- IPv4 range table
      https://0.0.0.0/                                 | refused | (unspecified (this network))
      https://0.1.2.3/                                 | refused | this network
      https://10.0.0.1/                                | refused | (private)
      https://10.255.255.255/                          | refused | (private)
      https://172.16.0.1/                              | refused | (private)
      https://172.31.255.255/                          | refused | (private)
      https://192.168.1.1:8443/                        | refused | (private)
      https://100.64.0.1/                              | refused | CGNAT
      https://100.127.255.255/                         | refused | CGNAT
      https://127.0.0.1/                               | refused | (loopback)
      https://127.255.255.254/                         | refused | (loopback)
      https://127.0.0.1./                              | refused | (loopback)
      https://169.254.169.254/latest/meta-data/        | refused | link-local
      https://192.0.0.1/                               | refused | IETF protocol assignments
      https://192.0.2.1/                               | refused | (documentation)
      https://198.51.100.7/                            | refused | (documentation)
      https://203.0.113.9/                             | refused | (documentation)
      https://192.88.99.1/                             | refused | 6to4 relay
      https://198.18.0.1/                              | refused | benchmarking
      https://198.19.255.255/                          | refused | benchmarking
      https://224.0.0.1/                               | refused | (multicast)
      https://239.255.255.250/                         | refused | (multicast)
      https://240.0.0.1/                               | refused | (reserved)
      https://255.255.255.254/                         | refused | (reserved)
      https://255.255.255.255/                         | refused | (broadcast)
      # --- IPv6 forms
      https://[::1]/                                   | refused | (loopback)
      https://[0:0:0:0:0:0:0:1]/                       | refused | (loopback)
      https://[::]/                                    | refused | (unspecified)
      https://[::ffff:127.0.0.1]/                      | refused | IPv4-mapped
      https://[::ffff:7f00:1]/                         | refused | IPv4-mapped
      https://[::FFFF:8.8.8.8]/                        | refused | IPv4-mapped
      https://[::127.0.0.1]/                           | refused | IPv4-compatible
      https://[::7f00:1]/                              | refused | IPv4-compatible
      https://[64:ff9b::127.0.0.1]/                    | refused | NAT64
      https://[64:ff9b::7f00:1]/                       | refused | NAT64
      https://[64:ff9b::8.8.8.8]/                      | refused | NAT64
      https://[64:ff9b:1::a00:1]/                      | refused | NAT64 (local use)
      https://[100::1]/                                | refused | discard-only
      https://[2002:7f00:1::]/                         | refused | (6to4)
      https://[2002:c000:204::1]/                      | refused | (6to4)
      https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/  | refused | Teredo
      https://[2001:2::1]/                             | refused | benchmarking
      https://[2001:10::1]/                            | refused | (ORCHID)
      https://[2001:20::1]/                            | refused | ORCHIDv2
      https://[2001:db8::1]/                           | refused | (documentation)
      https://[2001:DB8:0:0:0:0:0:1]:8443/             | refused | (documentation)
      https://[3fff::1]/                               | refused | (documentation)
      https://[fc00::1]/                               | refused | unique-local
      https://[fd12:3456:789a::1]/                     | refused | unique-local
      https://[fe80::1]/                               | refused | (link-local)
      https://[FE80::1]/                               | refused | (link-local)
      https://[fe80::1%25eth0]/                        | refused | zone id
      https://[fe80::1%25eth0]:8080/                   | refused | zone id
      https://[fec0::1]/                               | refused | site-local
      https://[ff02::1]/                               | refused | (multicast)
      https://[ff05::1:3]/                             | refused | (multicast)
      https://[1::1]/                                  | refused | not global unicast
      https://[4000::1]/                               | refused | not global unicast
      https://[::ffff:127.0.0.01]/                     | refused | not a valid IPv6
      https://[1:2:3:4:5:6:7:8:9]/                     | refused | malformed
      https://[::1::2]/                                | refused | malformed
      https://[12345::1]/                              | refused | malformed
      https://[v1.fe80::1]/                            | refused | malformed
      # --- host name syntax
      https://a_b.example.com/                         | refused | underscore
      https://-a.example.com/                          | refused | hyphen
      https://a-.example.com/                          | refused | hyphen
      https://a..example.com/                          | refused | empty label
      https://example.com../                           | refused | empty label
      https://exa%6dple.com/                           | refused | contains '%'
      https://example.com:443:80/                      | refused | contains ':'
      https://example.1com/                            | refused | not a valid host name
      https://intranet/                                | refused | single-label
      https://metadata/                                | refused | single-label
      https://intranet./                               | refused | single-label
      # --- special-use, internal and wildcard names
      https://localhost/                               | refused | (localhost)
      https://LOCALHOST.:8080/                         | refused | (localhost)
      https://app.localhost/                           | refused | (*.localhost)
      https://printer.local/                           | refused | (*.local)
      https://metadata.google.internal/computeMetadata | refused | (*.internal)
      https://host.docker.internal/                    | refused | (*.internal)
      https://router.localdomain/                      | refused | (*.localdomain)
      https://nas.home.arpa/                           | refused | (*.home.arpa)
      https://1.0.0.127.in-addr.arpa/                  | refused | (*.in-addr.arpa)
      https://1.0.0.0.ip6.arpa/                        | refused | (*.ip6.arpa)
      https://example.arpa/                            | refused | (*.arpa)
      https://printer.lan/                             | refused | (*.lan)
      https://duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion/ | refused | (*.onion)
      https://server.test/                             | refused | (*.test)
      https://server.invalid/                          | refused | (*.invalid)
      https://hooks.example/                           | refused | (*.example)
      https://example/                                 | refused | (example)
      https://127.0.0.1.nip.io/                        | refused | (*.nip.io)
      https://app.10.0.0.1.nip.io/                     | refused | (*.nip.io)
      https://10-0-0-1.sslip.io/                       | refused | (*.sslip.io)
      https://10.0.0.1.xip.io/                         | refused | (*.xip.io)
      https://localtest.me/                            | refused | (localtest.me)
      https://app.localtest.me/                        | refused | (*.localtest.me)
      """)
  void check_table(String url, String expected, String detail) {
    if (expected.equals("ok")) {
      URI uri = strict.check(url);
      assertEquals(detail == null ? url : detail, uri.toString());
      assertTrue(uri.getHost() != null, "normalised URI has a server-based host");
    } else {
      WebhookValidationException e =
          assertThrows(WebhookValidationException.class, () -> strict.check(url));
      assertEquals(ErrorCode.INVALID_URL, e.code());
      assertEquals(Optional.of("url"), e.field());
      assertTrue(e.getMessage().contains(detail),
          () -> "message '" + e.getMessage() + "' should contain '" + detail + "'");
    }
  }

  @Test
  void check_null_refused() {
    WebhookValidationException e =
        assertThrows(WebhookValidationException.class, () -> strict.check(null));
    assertEquals(ErrorCode.INVALID_URL, e.code());
    assertEquals("url is required", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "https://example.com/\u0000", "https://example.com/\t", "https://example.com/\n",
      "https://example.com\r\n/", "https://example.com/\u007f", "https://example.com/\u0085",
      "https://example.com/\u00a0", "https://example.com/\u2028", "\thttps://example.com/",
      "https://example.com/ "})
  void check_whitespaceOrControlCharacter_refused(String url) {
    WebhookValidationException e =
        assertThrows(WebhookValidationException.class, () -> strict.check(url));
    assertTrue(e.getMessage().contains("whitespace") || e.getMessage().contains("control"),
        e.getMessage());
  }

  @Test
  void check_longerThanMaxLength_refused() {
    String ok = "https://example.com/" + "a".repeat(2048 - 20);
    assertEquals(2048, ok.length());
    assertEquals(ok, strict.check(ok).toString());
    WebhookValidationException e =
        assertThrows(WebhookValidationException.class, () -> strict.check(ok + "a"));
    assertEquals("url is longer than 2048 characters", e.getMessage());
  }

  @Test
  void check_hostNameLimits_enforced() {
    String label63 = "a".repeat(63);
    assertEquals("https://" + label63 + ".com/", strict.check("https://" + label63 + ".com/").toString());
    assertThrows(WebhookValidationException.class, () -> strict.check("https://a" + label63 + ".com/"));
    // 4 labels of 63 + ".com" = 4 * 64 + 3 = 259 characters: too long.
    String longName = (label63 + ".").repeat(4) + "com";
    WebhookValidationException e = assertThrows(WebhookValidationException.class,
        () -> strict.check("https://" + longName + "/"));
    assertTrue(e.getMessage().contains("longer than 253"), e.getMessage());
    String name253 = (label63 + ".").repeat(3) + "a".repeat(61);
    assertEquals(253, name253.length());
    assertEquals("https://" + name253 + "/", strict.check("https://" + name253 + "/").toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "https://user:s3cr3tT0ken@example.com/",
      "https://s3cr3tT0ken@127.0.0.1/",
      "https://127.0.0.1/?token=s3cr3tT0ken",
      "https://10.0.0.1/s3cr3tT0ken",
      "http://example.com/?token=s3cr3tT0ken",
      "https://example.com/#s3cr3tT0ken",
      "https://example.com:99999/?token=s3cr3tT0ken",
      "https://exa mple.com/?token=s3cr3tT0ken",
      "https://example.com/?token=s3cr3tT0ken%zz",
      "https://localhost/?token=s3cr3tT0ken",
      "ftp://example.com/s3cr3tT0ken",
      "https://2130706433/?token=s3cr3tT0ken"})
  void check_message_neverEchoesUserInfoPathOrQuery(String url) {
    WebhookValidationException e =
        assertThrows(WebhookValidationException.class, () -> strict.check(url));
    assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
  }

  @Test
  void check_refusedLiteral_messageNamesHostAndCategory() {
    WebhookValidationException e = assertThrows(WebhookValidationException.class,
        () -> strict.check("https://169.254.169.254/latest/meta-data/"));
    assertEquals("host 169.254.169.254 is a non-public address (link-local (cloud metadata))",
        e.getMessage());
  }

  @Test
  void check_strict_doesNotAllowHttp() {
    assertFalse(strict.allowsHttp());
  }
}
