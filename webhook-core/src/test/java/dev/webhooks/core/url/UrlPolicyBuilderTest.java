package dev.webhooks.core.url;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.WebhookValidationException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UrlPolicyBuilderTest {
  private static UrlPolicy localDev() {
    return UrlPolicy.builder()
        .allowHost("localhost")
        .allowCidr("127.0.0.0/8")
        .allowHttp(true)
        .build();
  }

  @Test
  void allowList_localhostAndLoopback_allowedOverHttp() {
    UrlPolicy policy = localDev();
    assertTrue(policy.allowsHttp());
    assertEquals("http://localhost:8080/x", policy.check("http://localhost:8080/x").toString());
    assertEquals("http://127.0.0.1:9/x", policy.check("http://127.0.0.1:9/x").toString());
    assertEquals("https://localhost/x", policy.check("https://LocalHost./x").toString());
    assertEquals("https://example.com/", policy.check("https://example.com/").toString());
  }

  @Test
  void allowList_otherPrivateAddresses_stillRefused() {
    UrlPolicy policy = localDev();
    assertRefused(policy, "http://10.0.0.1/", "(private)");
    assertRefused(policy, "http://[::1]/", "(loopback)");
    assertRefused(policy, "http://[::ffff:127.0.0.1]/", "IPv4-mapped");
    assertRefused(policy, "http://app.localhost/", "(*.localhost)");
    assertRefused(policy, "http://metadata.google.internal/", "(*.internal)");
    assertRefused(policy, "http://2130706433/", "non-canonical IPv4");
    assertRefused(policy, "http://127.1/", "non-canonical IPv4");
    assertRefused(policy, "ftp://localhost/", "scheme ftp");
    assertRefused(policy, "http://user@localhost/", "user info");
  }

  @Test
  void strict_neverAllowsLocalDevelopmentUrls() {
    UrlPolicy strict = UrlPolicy.strict();
    assertSame(strict, UrlPolicy.strict());
    assertRefused(strict, "http://localhost:8080/x", "must use https");
    assertRefused(strict, "https://localhost:8080/x", "(localhost)");
    assertRefused(strict, "http://127.0.0.1:9/x", "must use https");
    assertRefused(strict, "https://127.0.0.1:9/x", "(loopback)");
    assertRefused(UrlPolicy.builder().build(), "https://localhost/", "(localhost)");
  }

  @Test
  void resolvesNames_onlyWithAResolver_andKeptByNewBuilder() {
    assertFalse(UrlPolicy.strict().resolvesNames());
    assertFalse(localDev().resolvesNames());
    UrlPolicy withDns = localDev().newBuilder().resolver(UrlPolicy.Resolver.SYSTEM).build();
    assertTrue(withDns.resolvesNames());
    assertTrue(withDns.newBuilder().build().resolvesNames());
    assertFalse(withDns.newBuilder().resolver(null).build().resolvesNames());
  }

  @Test
  void newBuilder_keepsSettings_andLeavesOriginalUnchanged() {
    UrlPolicy policy = localDev();
    UrlPolicy derived = policy.newBuilder().maxLength(40).build();
    assertTrue(derived.allowsHttp());
    assertEquals("http://localhost:8080/x", derived.check("http://localhost:8080/x").toString());
    assertEquals("http://127.0.0.1:9/x", derived.check("http://127.0.0.1:9/x").toString());
    String long41 = "http://localhost/" + "a".repeat(24);
    assertEquals(41, long41.length());
    assertRefused(derived, long41, "longer than 40 characters");
    assertEquals(long41, policy.check(long41).toString());

    UrlPolicy httpsOnly = policy.newBuilder().allowHttp(false).build();
    assertFalse(httpsOnly.allowsHttp());
    assertRefused(httpsOnly, "http://localhost:8080/x", "must use https");
    assertEquals("https://localhost:8080/x", httpsOnly.check("https://localhost:8080/x").toString());
    assertTrue(policy.allowsHttp());
  }

  @Test
  void newBuilder_ofStrict_isStrict() {
    UrlPolicy copy = UrlPolicy.strict().newBuilder().build();
    assertFalse(copy.allowsHttp());
    assertRefused(copy, "https://10.0.0.1/", "(private)");
    assertEquals(UrlPolicy.strict().toString(), copy.toString());
  }

  @Test
  void toString_summarisesSettings() {
    assertEquals("UrlPolicy{schemes=[https], allowedHosts=[], allowedCidrs=[], maxLength=2048, "
        + "resolver=none}", UrlPolicy.strict().toString());
    assertEquals("UrlPolicy{schemes=[https, http], allowedHosts=[localhost], "
        + "allowedCidrs=[127.0.0.0/8], maxLength=2048, resolver=none}", localDev().toString());
  }

  @Test
  void allowCidr_singleAddress_isSlash32() throws UnknownHostException {
    UrlPolicy policy = UrlPolicy.builder().allowCidr("10.1.2.3").build();
    assertTrue(policy.isAllowed(InetAddress.getByAddress(new byte[] {10, 1, 2, 3})));
    assertFalse(policy.isAllowed(InetAddress.getByAddress(new byte[] {10, 1, 2, 4})));
    assertEquals("https://10.1.2.3/", policy.check("https://10.1.2.3/").toString());
    assertRefused(policy, "https://10.1.2.4/", "(private)");
  }

  @Test
  void allowCidr_ipv6_allowsLiteral() {
    UrlPolicy policy = UrlPolicy.builder().allowCidr("::1/128").allowCidr("fd00:1::/32").build();
    assertEquals("https://[::1]:8443/", policy.check("https://[::1]:8443/").toString());
    assertEquals("https://[fd00:1:2::3]/", policy.check("https://[FD00:1:2::3]/").toString());
    assertRefused(policy, "https://[fd00:2::1]/", "unique-local");
    assertRefused(policy, "https://[::2]/", "IPv4-compatible");
  }

  @Test
  void allowCidr_duplicates_keptOnce() {
    UrlPolicy policy = UrlPolicy.builder().allowCidr("127.0.0.0/8").allowCidr(" 127.0.0.0/8 ").build();
    assertTrue(policy.toString().contains("allowedCidrs=[127.0.0.0/8]"), policy.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "/8", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "10.0.0/8", "010.0.0.0/8",
      "256.0.0.0/8", "127.0.0.1/8", "::1/129", "fe80::1/10", "fe80::1%1/128", "abc", "localhost",
      "10.0.0.0/8/8", "0x7f.0.0.1/32", "2130706433", "1:2:3:4:5:6:7:8:9/128", "10.0.0.0/0x8"})
  void allowCidr_badInput_throwsIllegalArgumentException(String cidr) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> UrlPolicy.builder().allowCidr(cidr));
    assertTrue(e.getMessage().startsWith("invalid CIDR"), e.getMessage());
  }

  @Test
  void allowCidr_hostBitsSet_suggestsNetwork() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> UrlPolicy.builder().allowCidr("127.0.0.1/8"));
    assertTrue(e.getMessage().contains("did you mean 127.0.0.0/8?"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> UrlPolicy.builder().allowCidr("fd12::1/8"));
    assertTrue(e.getMessage().contains("did you mean fd00::/8?"), e.getMessage());
  }

  @Test
  void allowCidr_zeroPrefix_allowsEverythingOfThatFamily() throws UnknownHostException {
    UrlPolicy policy = UrlPolicy.builder().allowCidr("0.0.0.0/0").build();
    assertTrue(policy.isAllowed(InetAddress.getByAddress(new byte[] {127, 0, 0, 1})));
    assertFalse(policy.isAllowed(InetAddress.getByAddress(UrlPolicyAddressTest.bytes("::1"))));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", " ", ".", "127.0.0.1", "2130706433", "0x7f.1", "::1", "[::1]", "a_b.example.com",
      "bad host", "host:8080", "-a.example.com", "exämple.com", "a..b"})
  void allowHost_badInput_throwsIllegalArgumentException(String host) {
    assertThrows(IllegalArgumentException.class, () -> UrlPolicy.builder().allowHost(host));
  }

  @Test
  void allowHost_matchesExactNameOnly() {
    UrlPolicy policy = UrlPolicy.builder().allowHost("Host.Docker.Internal.").build();
    assertEquals("https://host.docker.internal:8080/",
        policy.check("https://HOST.docker.internal:8080/").toString());
    assertRefused(policy, "https://other.docker.internal/", "(*.internal)");
    assertRefused(policy, "https://a.host.docker.internal/", "(*.internal)");
  }

  @Test
  void allowHost_doesNotExemptResolvedAddresses() throws UnknownHostException {
    InetAddress loopback = InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
    UrlPolicy.Resolver resolver = host -> List.of(loopback);
    UrlPolicy hostOnly = UrlPolicy.builder().allowHost("localhost").resolver(resolver).build();
    assertRefused(hostOnly, "https://localhost/", "host localhost resolves to a non-public address (loopback)");
    UrlPolicy hostAndCidr = hostOnly.newBuilder().allowCidr("127.0.0.0/8").build();
    assertEquals("https://localhost/", hostAndCidr.check("https://localhost/").toString());
  }

  @Test
  void builder_nullArguments_throwNullPointerException() {
    assertThrows(NullPointerException.class, () -> UrlPolicy.builder().allowHost(null));
    assertThrows(NullPointerException.class, () -> UrlPolicy.builder().allowCidr(null));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
  void maxLength_notPositive_throwsIllegalArgumentException(int chars) {
    assertThrows(IllegalArgumentException.class, () -> UrlPolicy.builder().maxLength(chars));
  }

  static void assertRefused(UrlPolicy policy, String url, String messagePart) {
    WebhookValidationException e =
        assertThrows(WebhookValidationException.class, () -> policy.check(url), url);
    assertTrue(e.getMessage().contains(messagePart),
        () -> url + ": message '" + e.getMessage() + "' should contain '" + messagePart + "'");
  }
}
