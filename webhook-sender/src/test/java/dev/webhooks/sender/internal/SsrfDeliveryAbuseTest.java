package dev.webhooks.sender.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.event.EventCatalog;
import dev.webhooks.core.subscription.SubscriptionSpec;
import dev.webhooks.core.url.UrlPolicy;
import dev.webhooks.sender.CreatedSubscription;
import dev.webhooks.sender.DeliveryQuery;
import dev.webhooks.sender.RetryPolicy;
import dev.webhooks.sender.WebhookSender;
import dev.webhooks.sender.internal.AttemptResult.Outcome;
import dev.webhooks.sender.store.DeliveryRecord;
import dev.webhooks.sender.store.DeliveryStatus;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Server-side request forgery at delivery time, over loopback only: a receiver that answers with a
 * redirect to an internal address is never followed, whatever the status and the target; and a
 * name that resolves to a public address when the webhook is validated and to a private one when
 * the sender connects (DNS rebinding) is refused at connect time, before any socket is opened. A
 * guard socket factory refuses, and records, any connection to a non-loopback address, so a broken
 * check fails the test without a packet leaving the machine. The figures are printed at the end.
 */
class SsrfDeliveryAbuseTest extends DelivererFixture {
  static final AtomicInteger TRIED = new AtomicInteger();
  static final AtomicInteger REFUSED = new AtomicInteger();
  static final AtomicInteger ALLOWED = new AtomicInteger();
  static final String TOKEN = "s3cr3t-t0ken";
  static final InetAddress PUBLIC = address(8, 8, 8, 8);

  @AfterAll
  static void printFigures() {
    System.out.println("ssrf-delivery (sender): " + TRIED.get() + " redirects and connect-time DNS answers tried, "
        + REFUSED.get() + " refused as expected (redirects not followed, rebound names refused before any socket), "
        + ALLOWED.get() + " allowed as expected");
  }

  /** The server answers {@code /in} with the current redirect, and counts every other request. */
  final class Redirector extends Dispatcher {
    volatile int code;
    volatile String location;
    final AtomicInteger in = new AtomicInteger();
    final AtomicInteger elsewhere = new AtomicInteger();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      if (!request.getTarget().equals("/in")) {
        elsewhere.incrementAndGet();
        return new MockResponse.Builder().code(200).body("followed").build();
      }
      in.incrementAndGet();
      // No body: MockWebServer writes a body apart from the head, and with Nagle's algorithm each
      // answer on a kept-alive connection would then wait ~40 ms for the client's delayed ACK.
      MockResponse.Builder r = new MockResponse.Builder().code(code);
      if (location != null) {
        r.addHeader("Location", location);
      }
      return r.build();
    }
  }

  @Test
  void redirectsToInternalTargets_neverFollowed_andTheErrorNamesOnlyTheHost() {
    Redirector redirector = new Redirector();
    server.setDispatcher(redirector);
    int port = server.getPort();
    // Every target but the first lies on this very server, which the LOCAL policy allows: were a
    // redirect followed, the request would arrive, and be counted.
    List<String> locations = List.of("http://169.254.169.254/latest/meta-data/iam?token=" + TOKEN,
        "http://127.0.0.1:" + port + "/internal?token=" + TOKEN, "http://localhost:" + port + "/internal",
        "/internal", "internal", "//127.0.0.1:" + port + "/internal", "http://[::1]:" + port + "/internal",
        "http://10.0.0.1/internal", "http://2130706433:" + port + "/internal", "https://127.0.0.1:" + port + "/internal",
        "file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO", "http://user:" + TOKEN + "@127.0.0.1:" + port + "/x",
        "", "http://127.0.0.1:" + port + "/in");
    List<String> wrong = new ArrayList<>();
    HttpDeliverer deliverer = deliverer();
    int expectedIn = 0;
    for (int code : List.of(300, 301, 302, 303, 307, 308)) {
      List<String> targets = new ArrayList<>(locations);
      targets.add(null); // no Location at all
      for (String location : targets) {
        redirector.code = code;
        redirector.location = location;
        TRIED.incrementAndGet();
        AttemptResult r = deliverer.deliver(request(url("/in")));
        expectedIn++;
        String error = r.error().orElse("");
        if (r.outcome() != Outcome.FAILURE || r.statusCode() != code
            || !error.startsWith("redirect not followed (" + code + ")")
            || error.contains(TOKEN) || error.contains("internal") || error.contains("meta-data")) {
          wrong.add(code + " " + location + ": " + r.outcome() + " " + r.statusCode() + " " + error);
        } else {
          REFUSED.incrementAndGet();
        }
      }
    }
    assertEquals(List.of(), wrong);
    assertEquals(expectedIn, redirector.in.get());
    assertEquals(0, redirector.elsewhere.get(), "a redirect was followed");
    assertEquals(List.of(), sockets.refused);
  }

  /** Connect-time answers for a name the validation saw as public. */
  static List<List<InetAddress>> privateAnswers() {
    List<List<InetAddress>> out = new ArrayList<>();
    for (InetAddress a : List.of(address(127, 0, 0, 1), address(10, 0, 0, 1), address(169, 254, 169, 254),
        address(100, 64, 0, 1), address(0, 0, 0, 0), address(192, 168, 0, 1), address(172, 16, 0, 1),
        address(224, 0, 0, 1), v6("00000000000000000000000000000001"), v6("00000000000000000000ffff7f000001"),
        v6("00000000000000000000ffffa9fea9fe"), v6("fd000000000000000000000000000001"),
        v6("fe800000000000000000000000000001"), v6("0064ff9b00000000000000007f000001"),
        v6("20027f00000100000000000000000000"))) {
      out.add(List.of(a));
    }
    out.add(List.of(PUBLIC, address(10, 0, 0, 1)));
    out.add(List.of(v6("26064700000000000000000000001111"), v6("00000000000000000000000000000001")));
    out.add(List.of(address(169, 254, 169, 254), PUBLIC));
    return out;
  }

  @Test
  void dnsRebinding_publicWhenValidated_privateWhenConnecting_refusedBeforeAnySocket() throws Exception {
    // Validation resolves the name to a public address, as a rebinding DNS server answers first.
    UrlPolicy policy = UrlPolicy.builder().allowHttp(true).resolver(host -> List.of(PUBLIC)).build();
    URI url = URI.create("http://hooks.example.com:" + server.getPort() + "/in?token=" + TOKEN);
    assertEquals(url, policy.check(url.toString()));
    List<String> wrong = new ArrayList<>();
    for (List<InetAddress> answer : privateAnswers()) {
      TRIED.incrementAndGet();
      AtomicInteger lookups = new AtomicInteger();
      Dns rebound = host -> {
        lookups.incrementAndGet();
        return answer;
      };
      int socketsBefore = sockets.created.get();
      HttpDeliverer deliverer = track(new HttpDeliverer(base(new OkHttpClient.Builder().dns(rebound)), policy,
          HttpDeliverer.DEFAULT_TIMEOUT, HttpDeliverer.DEFAULT_EXCERPT_BYTES, System::nanoTime));
      AttemptResult r = deliverer.deliver(request(url));
      String error = r.error().orElse("");
      if (r.outcome() != Outcome.FAILURE || r.statusCode() != 0 || lookups.get() != 1
          || sockets.created.get() != socketsBefore
          || !error.startsWith("refused by URL policy: host hooks.example.com resolves to a non-public address (")
          || error.contains(TOKEN)) {
        wrong.add(answer + ": " + r.outcome() + " " + r.statusCode() + " " + error + ", lookups " + lookups.get()
            + ", sockets " + (sockets.created.get() - socketsBefore));
      } else {
        REFUSED.incrementAndGet();
      }
    }
    assertEquals(List.of(), wrong);
    assertEquals(0, server.getRequestCount());
    assertEquals(List.of(), sockets.refused);
  }

  /** The control: the same path, with an answer the policy allows, reaches the receiver. */
  @Test
  void dnsAnswerThePolicyAllows_isDelivered() {
    UrlPolicy policy = UrlPolicy.builder().allowHttp(true).allowCidr("127.0.0.0/8")
        .resolver(host -> List.of(LOOPBACK)).build();
    server.enqueue(new MockResponse.Builder().code(204).build());
    HttpDeliverer deliverer = track(new HttpDeliverer(base(new OkHttpClient.Builder().dns(host -> List.of(LOOPBACK))),
        policy, HttpDeliverer.DEFAULT_TIMEOUT, HttpDeliverer.DEFAULT_EXCERPT_BYTES, System::nanoTime));
    TRIED.incrementAndGet();

    AttemptResult r = deliverer.deliver(request(URI.create("http://hooks.example.com:" + server.getPort() + "/in")));

    assertEquals(Outcome.SUCCESS, r.outcome(), () -> r.error().orElse(""));
    assertEquals(1, server.getRequestCount());
    ALLOWED.incrementAndGet();
  }

  /**
   * The whole sender: the subscription is created while the name resolves to a public address, the
   * delivery connects when it resolves to the cloud metadata address: refused, recorded as the
   * delivery's error, nothing sent. A redirecting endpoint of the same sender is not followed.
   */
  @Test
  void wholeSender_rebindingRefusedAtConnect_andRedirectNotFollowed() throws Exception {
    AtomicInteger connectLookups = new AtomicInteger();
    Dns dns = host -> {
      connectLookups.incrementAndGet();
      return host.equals("rebound.example.com") ? List.of(address(169, 254, 169, 254)) : List.of(LOOPBACK);
    };
    UrlPolicy policy = UrlPolicy.builder().allowHttp(true).allowCidr("127.0.0.0/8")
        .resolver(host -> List.of(host.equals("rebound.example.com") ? PUBLIC : LOOPBACK)).build();
    Redirector redirector = new Redirector();
    redirector.code = 302;
    redirector.location = "http://169.254.169.254/latest/meta-data/";
    server.setDispatcher(redirector);
    EventCatalog catalog = EventCatalog.builder().event("order.paid", "An order was paid", null).build();
    try (WebhookSender sender = WebhookSender.builder().catalog(catalog).urlPolicy(policy)
        .httpClient(base(new OkHttpClient.Builder().dns(dns))).retryPolicy(RetryPolicy.schedule(List.of())).build()) {
      CreatedSubscription rebound = sender.subscriptions().create("t", SubscriptionSpec.builder()
          .url("http://rebound.example.com:" + server.getPort() + "/in").events("order.paid").build());
      CreatedSubscription redirecting = sender.subscriptions().create("t", SubscriptionSpec.builder()
          .url("http://hooks.example.com:" + server.getPort() + "/in").events("order.paid").build());
      assertEquals(2, sender.publish("t", "order.paid", Map.of("n", 1)).deliveries());
      TRIED.addAndGet(2);

      sender.dispatchDueNow();

      DeliveryRecord refused = only(sender, rebound);
      assertEquals(DeliveryStatus.FAILED, refused.status());
      assertTrue(refused.lastError().orElse("").startsWith(
          "refused by URL policy: host rebound.example.com resolves to a non-public address (link-local"),
          refused.toString());
      DeliveryRecord redirected = only(sender, redirecting);
      assertEquals(DeliveryStatus.FAILED, redirected.status());
      assertEquals(302, redirected.lastHttpStatus().orElseThrow());
      assertEquals("redirect not followed (302) to 169.254.169.254", redirected.lastError().orElseThrow());
      assertEquals(1, redirector.in.get());
      assertEquals(0, redirector.elsewhere.get());
      assertEquals(List.of(), sockets.refused);
      assertFalse(connectLookups.get() == 0);
      REFUSED.addAndGet(2);
    }
  }

  private static DeliveryRecord only(WebhookSender sender, CreatedSubscription c) {
    List<DeliveryRecord> list = sender.deliveries().list("t",
        DeliveryQuery.builder().subscription(c.subscription().id()).build()).items();
    assertEquals(1, list.size());
    return list.get(0);
  }

  static InetAddress v6(String hex) {
    try {
      return Inet6Address.getByAddress(null, HexFormat.of().parseHex(hex), null);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
