package dev.webhooks.sender.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.webhooks.core.WebhookValidationException;
import dev.webhooks.core.url.UrlPolicy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyDnsTest {
  private static final UrlPolicy POLICY = UrlPolicy.strict();

  @Test
  void lookup_everyAddressPublic_returnsThemAll() throws Exception {
    List<InetAddress> answer = List.of(address("8.8.8.8"), address("2606:4700::1111"));

    assertEquals(answer, new PolicyDns(POLICY, host -> answer).lookup("hooks.example.com"));
  }

  @Test
  void lookup_oneAddressPrivate_refusesTheWholeAnswerWithThePolicysMessage() throws Exception {
    List<InetAddress> answer = List.of(address("8.8.8.8"), address("169.254.169.254"));

    UnknownHostException e = assertThrows(UnknownHostException.class,
        () -> new PolicyDns(POLICY, host -> answer).lookup("hooks.example.com"));

    assertInstanceOf(PolicyDns.RefusedByPolicy.class, e);
    assertInstanceOf(WebhookValidationException.class, e.getCause());
    assertEquals(e.getCause().getMessage(), e.getMessage());
    assertEquals(true, e.getMessage().startsWith("host hooks.example.com resolves to a non-public address ("),
        e.getMessage());
  }

  @Test
  void lookup_noAddresses_isUnknownHost() {
    UnknownHostException e = assertThrows(UnknownHostException.class,
        () -> new PolicyDns(POLICY, host -> List.of()).lookup("hooks.example.com"));

    assertEquals("host hooks.example.com resolves to no address", e.getMessage());
  }

  @Test
  void lookup_delegateFails_passesItsFailureOn() {
    UnknownHostException failure = new UnknownHostException("nxdomain");

    UnknownHostException e = assertThrows(UnknownHostException.class, () -> new PolicyDns(POLICY, host -> {
      throw failure;
    }).lookup("hooks.example.com"));

    assertEquals(failure, e);
  }

  private static InetAddress address(String literal) throws UnknownHostException {
    return InetAddress.getByName(literal); // an IP literal: no lookup
  }
}
