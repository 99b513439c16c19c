package dev.webhooks.sender.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DeliveryRequestTest {
  private static final URI URL = URI.create("https://hooks.example.com/in?token=s3cr3t");

  @Test
  void headersAndBody_areCopiedInAndTheBodyOut() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("webhook-id", "msg_1");
    headers.put("X-B", "b");
    byte[] body = "{}".getBytes(UTF_8);

    DeliveryRequest request = new DeliveryRequest(URL, headers, body);
    headers.put("X-C", "c");
    body[0] = 'x';
    request.body()[1] = 'x';

    assertEquals(List.of("webhook-id", "X-B"), List.copyOf(request.headers().keySet()));
    assertArrayEquals("{}".getBytes(UTF_8), request.body());
    assertThrows(UnsupportedOperationException.class, () -> request.headers().put("X-D", "d"));
  }

  @Test
  void headerValueWithALineBreak_isRefusedWithoutEchoingTheValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new DeliveryRequest(URL, Map.of("webhook-signature", "v1,abc\r\nX-Evil: 1"), new byte[0]));

    assertEquals("value of header webhook-signature has an unexpected character 0x0d at index 6", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"Host", "content-length", "Transfer-Encoding", "Connection", "KEEP-ALIVE", "Proxy-Connection",
      "TE", "trailer", "Upgrade", "expect"})
  void headerTheClientSets_isRefused(String name) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new DeliveryRequest(URL, Map.of(name, "1"), new byte[0]));

    assertEquals("header " + name + " is set by the HTTP client and may not be given", e.getMessage());
  }

  @Test
  void headerNamesDifferingOnlyInCase_areRefused() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("X-Tenant", "a");
    headers.put("x-tenant", "b");

    assertThrows(IllegalArgumentException.class, () -> new DeliveryRequest(URL, headers, new byte[0]));
  }

  @Test
  void headerNameThatIsNotAToken_isRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> new DeliveryRequest(URL, Map.of("X Tenant", "a"), new byte[0]));
  }

  @Test
  void toString_showsTheHostAndHeaderNames_butNoValuesPathQueryOrBody() {
    String text = new DeliveryRequest(URL, Map.of("webhook-signature", "v1,SIGNATURE"), "PAYLOAD".getBytes(UTF_8))
        .toString();

    assertEquals("DeliveryRequest[host=hooks.example.com, headers=[webhook-signature], body=7 bytes]", text);
    assertFalse(text.contains("s3cr3t"));
  }

  @Test
  void equalRequests_areEqual_comparingBodiesByContent() {
    DeliveryRequest a = new DeliveryRequest(URL, Map.of("a", "1"), new byte[] {1, 2});
    DeliveryRequest b = new DeliveryRequest(URL, Map.of("a", "1"), new byte[] {1, 2});

    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
  }
}
