package dev.webhooks.sender;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webhooks.core.event.EventCatalog;
import dev.webhooks.core.subscription.SubscriptionSpec;
import dev.webhooks.core.url.UrlPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Reproduces a head-of-line block in the dispatcher: the due backlog of one dead endpoint delays
 * another endpoint's delivery by about {@code backlog / free claim slots × pollInterval}.
 *
 * <p>Regression: each pass of the dispatcher's loop used to claim the oldest due deliveries, all
 * the dead endpoint's; that endpoint being at its concurrency cap, every claim was released 200 ms
 * later and the loop slept a whole poll interval before the next pass. With the builder's defaults
 * a backlog of 2,000 delayed the healthy endpoint's delivery by about 40 s, and 400 by about 10 s.
 * Claims now skip endpoints at their cap.
 */
class DeadEndpointBacklogTest {
  static final UrlPolicy LOOPBACK = UrlPolicy.builder().allowHttp(true).allowCidr("127.0.0.1/32").build();
  static final int BACKLOG = 2_000;
  static final Duration BOUND = Duration.ofSeconds(2);

  @Test
  void deadEndpointsBacklog_doesNotDelayAnotherEndpointsDelivery() throws Exception {
    ObjectMapper json = new ObjectMapper();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch hangStarted = new CountDownLatch(1);
    CountDownLatch pinged = new CountDownLatch(1);
    try (LoopbackReceiver receiver = LoopbackReceiver.start(2, (i, request) -> {
      if (i == 0) { // dead: answers only once the test ends
        hangStarted.countDown();
        release.await(60, TimeUnit.SECONDS);
        return LoopbackReceiver.SERVER_ERROR;
      }
      pinged.countDown();
      return LoopbackReceiver.OK;
    })) {
      // The builder's defaults: 32 workers, cap 4, batch 100, poll 500 ms, timeout 5 s.
      WebhookSender sender = WebhookSender.builder()
          .catalog(EventCatalog.builder()
              .event("bulk.created", "Sent to the dead endpoint", json.readTree("{}"))
              .event("ping.sent", "Sent to the healthy endpoint", json.readTree("{}"))
              .build())
          .urlPolicy(LOOPBACK).closeGrace(Duration.ofSeconds(6)).build();
      try {
        sender.subscriptions().create("t1", SubscriptionSpec.builder().url(receiver.url(0)).events("bulk.created").build());
        sender.subscriptions().create("t1", SubscriptionSpec.builder().url(receiver.url(1)).events("ping.sent").build());
        for (int n = 0; n < BACKLOG; n++) {
          sender.publish("t1", "bulk.created", Map.of("n", n));
        }
        sender.start();
        assertTrue(hangStarted.await(5, TimeUnit.SECONDS), "the dead endpoint was never tried");

        long start = System.nanoTime();
        sender.publish("t1", "ping.sent", Map.of());
        boolean arrived = pinged.await(BOUND.toMillis() * 5, TimeUnit.MILLISECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(arrived && seconds < BOUND.toMillis() / 1e3,
            () -> "the healthy endpoint's delivery " + (arrived ? "took " : "still not arrived after ") + seconds + " s");
      } finally {
        release.countDown();
        sender.close();
      }
    }
  }
}
