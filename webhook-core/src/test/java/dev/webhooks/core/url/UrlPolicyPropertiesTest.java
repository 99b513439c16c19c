package dev.webhooks.core.url;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** Properties that tie the literal parsers, the range table and the messages together. */
class UrlPolicyPropertiesTest {
  private final UrlPolicy strict = UrlPolicy.strict();

  @Property
  void check_canonicalIpv4Literal_agreesWithIsAllowed(@ForAll @Size(4) byte[] bytes)
      throws UnknownHostException {
    String url = "https://" + IpLiterals.format(bytes) + "/";
    assertEquals(strict.isAllowed(InetAddress.getByAddress(bytes)), outcome(url).isEmpty(), url);
  }

  @Property
  void check_ipv6Literal_agreesWithIsAllowed(@ForAll @Size(16) byte[] bytes)
      throws UnknownHostException {
    boolean allowed = strict.isAllowed(Inet6Address.getByAddress(null, bytes, -1));
    String compressed = "https://[" + IpLiterals.format(bytes) + "]/";
    assertEquals(allowed, outcome(compressed).isEmpty(), compressed);
    // The JDK's own uncompressed spelling must parse to the same address.
    String jdk = Inet6Address.getByAddress(null, bytes, -1).getHostAddress();
    assertArrayEquals(bytes, IpLiterals.parseIpv6(jdk), jdk);
  }

  @Property
  void check_decimalOrHexIpv4_refused(@ForAll int value) {
    String decimal = Integer.toUnsignedString(value);
    String hex = "0x" + Integer.toHexString(value);
    for (String host : new String[] {decimal, hex, "0" + decimal, decimal + "."}) {
      Optional<String> message = outcome("https://" + host + "/");
      assertTrue(message.orElse("").contains("non-canonical IPv4"), host + ": " + message);
    }
  }

  @Property
  void check_ipv4WithLeadingZeroOctet_refused(@ForAll @Size(4) byte[] bytes, @ForAll("octet") int which) {
    StringBuilder host = new StringBuilder();
    for (int i = 0; i < 4; i++) {
      host.append(i == 0 ? "" : ".").append(i == which ? "0" : "").append(bytes[i] & 0xff);
    }
    Optional<String> message = outcome("https://" + host + "/");
    assertTrue(message.orElse("").contains("non-canonical IPv4"), host + ": " + message);
  }

  @Provide
  Arbitrary<Integer> octet() {
    return Arbitraries.integers().between(0, 3);
  }

  @Property
  void check_anyString_returnsOrThrowsInvalidUrl(@ForAll String url) {
    outcome(url);
  }

  @Property
  void check_urlShapedString_returnsOrThrowsInvalidUrl(
      @ForAll @Chars({'a', 'x', '0', '1', '7', 'f', '.', ':', '[', ']', '@', '%', '-', '_', '/', '#',
          '?'}) @StringLength(max = 30) String authority) {
    outcome("https://" + authority + "/p");
  }

  @Property
  void check_message_neverEchoesSecrets(
      @ForAll @AlphaChars @StringLength(min = 12, max = 24) String secret) {
    String[] urls = {
        "https://user:" + secret + "@example.com/",
        "https://" + secret + "@10.0.0.1/",
        "https://10.0.0.1/hook?token=" + secret,
        "https://localhost/" + secret,
        "http://example.com/?token=" + secret,
        "https://example.com/#" + secret,
        "https://example.com:0/?t=" + secret,
        "https://[::1]/?t=" + secret,
        "https://2130706433/" + secret,
        "https://exa mple.com/?t=" + secret,
        "https://example.com/?t=" + secret + "%zz"};
    for (String url : urls) {
      Optional<String> message = outcome(url);
      assertTrue(message.isPresent(), url);
      assertFalse(message.get().contains(secret), message.get());
    }
  }

  /** The refusal message, or empty when the URL passed; anything but INVALID_URL fails. */
  private Optional<String> outcome(String url) {
    try {
      strict.check(url);
      return Optional.empty();
    } catch (WebhookValidationException e) {
      assertEquals(ErrorCode.INVALID_URL, e.code());
      assertEquals(Optional.of("url"), e.field());
      return Optional.of(e.getMessage());
    }
  }
}
