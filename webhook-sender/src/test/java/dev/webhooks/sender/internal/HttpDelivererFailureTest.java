package dev.webhooks.sender.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.sender.internal.AttemptResult.Outcome;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.SocketEffect;
import okio.BufferedSink;
import org.junit.jupiter.api.Test;

/** Receivers that hang, trickle, drop the connection or flood: a failure with a short error, never a throw. */
class HttpDelivererFailureTest extends DelivererFixture {
  @Test
  void timeout_headersDelayedPastTheTimeout_isFailure() {
    server.enqueue(new MockResponse.Builder().code(200).headersDelay(1, TimeUnit.SECONDS).build());
    long start = System.nanoTime();

    AttemptResult result = deliverer(Duration.ofMillis(200), 2048).deliver(request(url("/in")));

    assertEquals(Outcome.FAILURE, result.outcome());
    assertEquals(0, result.statusCode());
    assertEquals(Optional.of("timeout after 200 ms"), result.error());
    assertTrue(millisSince(start) < 900, "took " + millisSince(start) + " ms");
  }

  @Test
  void timeout_tricklingBody_isCutByTheCallTimeout() {
    // One byte every 50 ms: each read is well within the 300 ms read timeout; only the call timeout
    // can stop it before the 10 s the body would take.
    TricklingBody body = new TricklingBody(200, 50);
    server.enqueue(new MockResponse.Builder().code(200).body(body).build());
    long start = System.nanoTime();

    AttemptResult result = deliverer(Duration.ofMillis(300), 2048).deliver(request(url("/in")));
    long took = millisSince(start);
    body.stop.countDown();

    assertEquals(Outcome.FAILURE, result.outcome());
    assertEquals(200, result.statusCode());
    assertEquals(Optional.of("timeout after 300 ms"), result.error());
    assertTrue(took < 3000, "took " + took + " ms");
  }

  @Test
  void disconnectAtStart_isFailureWithAnError() {
    server.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build());

    AttemptResult result = deliverer().deliver(request(url("/in")));

    assertEquals(Outcome.FAILURE, result.outcome());
    assertEquals(0, result.statusCode());
    assertTrue(result.error().isPresent());
  }

  @Test
  void disconnectMidResponse_isFailure_keepingTheStatus() {
    // The server closes the socket halfway through the body; the cap is past that point.
    server.enqueue(new MockResponse.Builder().code(200).body("0123456789".repeat(1000))
        .onResponseBody(new SocketEffect.CloseSocket()).build());

    AttemptResult result = deliverer(HttpDeliverer.DEFAULT_TIMEOUT, 20_000).deliver(request(url("/in")));

    assertEquals(Outcome.FAILURE, result.outcome());
    assertEquals(200, result.statusCode());
    assertEquals(Optional.of("connection closed mid-response"), result.error());
  }

  @Test
  void connectionDroppedAfterTheRequest_isNotSentAgain() throws Exception {
    // The second attempt goes over the pooled connection of the first, and the server drops it once
    // the request is in: the case OkHttp retries on its own when allowed. The third answer is there
    // for that retry to take.
    server.enqueue(new MockResponse.Builder().code(200).build());
    server.enqueue(new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build());
    server.enqueue(new MockResponse.Builder().code(200).build());
    HttpDeliverer deliverer = deliverer();

    AttemptResult first = deliverer.deliver(request(url("/in")));
    AttemptResult second = deliverer.deliver(request(url("/in")));

    assertEquals(Outcome.SUCCESS, first.outcome());
    assertEquals(Outcome.FAILURE, second.outcome());
    assertEquals(Optional.of("connection closed before a response"), second.error());
    assertEquals(2, server.getRequestCount());
  }

  @Test
  void connectionReset_isFailureWithAnError() throws Exception {
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try (ServerSocket listener = new ServerSocket()) {
      listener.bind(new InetSocketAddress(LOOPBACK, 0));
      Future<?> resetter = executor.submit(() -> {
        try (Socket socket = listener.accept()) {
          socket.setSoTimeout(5000);
          InputStream in = socket.getInputStream();
          in.read(new byte[1]); // the request has started to arrive
          socket.setSoLinger(true, 0); // close with a RST instead of a FIN
        }
        return null;
      });

      AttemptResult result = deliverer().deliver(
          request(URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/in")));

      resetter.get(5, TimeUnit.SECONDS);
      assertEquals(Outcome.FAILURE, result.outcome());
      assertEquals(0, result.statusCode());
      assertEquals(Optional.of("connection reset"), result.error());
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void connectionRefused_isFailure() throws IOException {
    int port;
    try (ServerSocket closed = new ServerSocket()) {
      closed.bind(new InetSocketAddress(LOOPBACK, 0));
      port = closed.getLocalPort();
    }

    AttemptResult result = deliverer().deliver(request(URI.create("http://127.0.0.1:" + port + "/in")));

    assertEquals(Outcome.FAILURE, result.outcome());
    assertEquals(Optional.of("connection refused"), result.error());
  }

  @Test
  void hugeBody_isReadOnlyUpToTheCap() throws Exception {
    HugeBody body = new HugeBody(50L * 1024 * 1024);
    server.enqueue(new MockResponse.Builder().code(200).body(body).build());
    long start = System.nanoTime();

    AttemptResult result = deliverer().deliver(request(url("/in")));

    assertTrue(millisSince(start) < 3000, "took " + millisSince(start) + " ms");
    assertEquals(Outcome.SUCCESS, result.outcome());
    assertEquals(HttpDeliverer.DEFAULT_EXCERPT_BYTES, result.responseExcerpt().length());
    assertTrue(body.done.await(10, TimeUnit.SECONDS), "the server is still writing");
    // What the server got out before the connection was cut is what the socket buffers held.
    assertTrue(body.written.get() < body.size / 4, "server wrote " + body.written.get() + " bytes");
  }

  /** A large body written in chunks, counting what reached the socket. */
  private static final class HugeBody implements MockResponseBody {
    final long size;
    final AtomicLong written = new AtomicLong();
    final CountDownLatch done = new CountDownLatch(1);

    HugeBody(long size) {
      this.size = size;
    }

    @Override
    public long getContentLength() {
      return size;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      byte[] chunk = new byte[64 * 1024];
      Arrays.fill(chunk, (byte) 'x');
      try {
        while (written.get() < size) {
          int n = (int) Math.min(chunk.length, size - written.get());
          sink.write(chunk, 0, n);
          sink.flush();
          written.addAndGet(n);
        }
      } finally {
        done.countDown();
      }
    }
  }

  /** A body of {@code size} bytes sent one byte at a time, {@code intervalMillis} apart, until stopped. */
  private static final class TricklingBody implements MockResponseBody {
    final CountDownLatch stop = new CountDownLatch(1);
    private final int size;
    private final long intervalMillis;

    TricklingBody(int size, long intervalMillis) {
      this.size = size;
      this.intervalMillis = intervalMillis;
    }

    @Override
    public long getContentLength() {
      return size;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      for (int i = 0; i < size; i++) {
        sink.writeByte('x');
        sink.flush();
        try {
          if (stop.await(intervalMillis, TimeUnit.MILLISECONDS)) {
            return;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
