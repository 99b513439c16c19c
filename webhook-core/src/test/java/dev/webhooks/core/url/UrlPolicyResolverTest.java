package dev.webhooks.core.url;

import static dev.webhooks.core.url.UrlPolicyBuilderTest.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** check() with a fake resolver: no real DNS in these tests. */
class UrlPolicyResolverTest {
  private final List<String> lookups = new ArrayList<>();

  private UrlPolicy policyResolving(Map<String, List<InetAddress>> answers) {
    UrlPolicy.Resolver fake = host -> {
      lookups.add(host);
      List<InetAddress> addresses = answers.get(host);
      if (addresses == null) {
        throw new UnknownHostException(host);
      }
      return addresses;
    };
    return UrlPolicy.builder().resolver(fake).build();
  }

  private static InetAddress v4(int a, int b, int c, int d) throws UnknownHostException {
    return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
  }

  @Test
  void check_nameResolvingToPrivateAddress_refused() throws UnknownHostException {
    UrlPolicy policy = policyResolving(Map.of("hooks.example.com", List.of(v4(10, 0, 0, 5))));
    WebhookValidationException e = assertThrows(WebhookValidationException.class,
        () -> policy.check("https://hooks.example.com/in"));
    assertEquals(ErrorCode.INVALID_URL, e.code());
    assertEquals(Optional.of("url"), e.field());
    assertEquals("host hooks.example.com resolves to a non-public address (private)", e.getMessage());
  }

  @Test
  void check_nameResolvingToPublicAndLoopback_refused() throws UnknownHostException {
    UrlPolicy policy = policyResolving(
        Map.of("hooks.example.com", List.of(v4(93, 184, 215, 14), v4(127, 0, 0, 1))));
    assertRefused(policy, "https://hooks.example.com/in", "(loopback)");
  }

  @Test
  void check_nameResolvingToIpv4MappedIpv6_refused() throws UnknownHostException {
    byte[] mapped = UrlPolicyAddressTest.bytes("::ffff:a00:5");
    UrlPolicy policy = policyResolving(
        Map.of("hooks.example.com", List.of(Inet6Address.getByAddress(null, mapped, -1))));
    assertRefused(policy, "https://hooks.example.com/in", "(IPv4-mapped)");
  }

  @Test
  void check_nameResolvingToPublicAddressesOnly_passes() throws UnknownHostException {
    InetAddress v6 = InetAddress.getByAddress(UrlPolicyAddressTest.bytes("2606:4700::1111"));
    UrlPolicy policy = policyResolving(
        Map.of("hooks.example.com", List.of(v4(93, 184, 215, 14), v6)));
    assertEquals("https://hooks.example.com/in?a=b",
        policy.check("https://Hooks.Example.COM./in?a=b").toString());
    assertEquals(List.of("hooks.example.com"), lookups);
  }

  @Test
  void check_unknownHost_refusedWithClearMessage() {
    UrlPolicy policy = policyResolving(Map.of());
    WebhookValidationException e = assertThrows(WebhookValidationException.class,
        () -> policy.check("https://nowhere.example.com/in?token=secret"));
    assertEquals(ErrorCode.INVALID_URL, e.code());
    assertEquals("host nowhere.example.com does not resolve (unknown host)", e.getMessage());
    assertInstanceOf(UnknownHostException.class, e.getCause());
  }

  @Test
  void check_nameResolvingToNoAddress_refused() {
    UrlPolicy policy = policyResolving(Map.of("empty.example.com", List.of()));
    assertRefused(policy, "https://empty.example.com/", "does not resolve to any address");
  }

  @Test
  void check_ipLiterals_notResolved() {
    UrlPolicy policy = policyResolving(Map.of());
    assertEquals("https://8.8.8.8/", policy.check("https://8.8.8.8/").toString());
    assertEquals("https://[2606:4700::1111]/", policy.check("https://[2606:4700::1111]/").toString());
    assertRefused(policy, "https://10.0.0.1/", "(private)");
    assertTrue(lookups.isEmpty(), lookups.toString());
  }

  @Test
  void check_refusedName_notResolved() {
    UrlPolicy policy = policyResolving(Map.of());
    assertRefused(policy, "https://metadata.google.internal/", "(*.internal)");
    assertRefused(policy, "https://intranet/", "single-label");
    assertTrue(lookups.isEmpty(), lookups.toString());
  }

  @Test
  void check_withoutResolver_doesNoLookup() {
    // strict() has no resolver: a name is accepted on its syntax alone (checked again at connect time).
    assertEquals("https://hooks.example.com/", UrlPolicy.strict().check("https://hooks.example.com/").toString());
  }

  @Test
  void newBuilder_keepsResolver() throws UnknownHostException {
    UrlPolicy policy = policyResolving(Map.of("hooks.example.com", List.of(v4(10, 0, 0, 5))));
    UrlPolicy derived = policy.newBuilder().maxLength(100).build();
    assertRefused(derived, "https://hooks.example.com/", "(private)");
    assertTrue(derived.toString().contains("resolver=custom"), derived.toString());
    UrlPolicy withoutDns = derived.newBuilder().resolver(null).build();
    assertEquals("https://hooks.example.com/", withoutDns.check("https://hooks.example.com/").toString());
  }

  @Test
  void systemResolver_isNamedInToString() {
    UrlPolicy policy = UrlPolicy.builder().resolver(UrlPolicy.Resolver.SYSTEM).build();
    assertTrue(policy.toString().contains("resolver=SYSTEM"), policy.toString());
  }
}
