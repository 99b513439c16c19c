package dev.webhooks.sender;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A misbehaving webhook receiver on 127.0.0.1, written on plain sockets so that it can do what an
 * HTTP server library will not: reset a connection, close it halfway through a response, hang
 * after the headers, trickle a body one byte a second, or stream a 1 GiB body (from one reused
 * 64 KiB buffer, never materialised). Endpoints are {@code /r/0} to {@code /r/(n-1)}; a {@link Rule}
 * picks the {@link Fault} of each request from its endpoint, its {@code webhook-id} and how many
 * requests of that pair (endpoint, id) came before it.
 *
 * <p>It counts per pair the requests received and those accepted (a 2xx answer whose headers were
 * sent in full: the receiver's handler ran), the requests that arrived while another of the same
 * pair was still being answered (overlaps: one delivery attempted twice at once), the faults by
 * kind, the bytes written for each huge body, and how many requests of a healthy endpoint arrived
 * while some fault was being played on another. A thread per connection (connections are kept
 * alive between requests, as a real server does); every thread ends with its connection, at the
 * latest at {@link #close()}. Thread-safe.
 */
final class FaultyReceiver implements AutoCloseable {
  /** What one answer does. */
  enum Fault {
    /** {@code 200} with an empty body: accepted. */
    NONE,
    /** {@code 500} with an empty body. */
    ERROR_500,
    /** The request is read, then the connection is reset (RST, not FIN). */
    RESET,
    /** {@code 200} headers promising 4 KiB, 100 bytes of it, then the connection is closed. */
    CLOSE_MID_RESPONSE,
    /** {@code 200} headers promising 4 KiB, then nothing until the client gives up. */
    HANG_AFTER_HEADERS,
    /** {@code 200} headers promising 100,000 bytes, then one byte a second. */
    TRICKLE,
    /** {@code 200} and a 1 GiB body, streamed until the client stops reading. */
    HUGE_BODY_200,
    /** {@code 500} and a 1 GiB body, streamed until the client stops reading. */
    HUGE_BODY_500;

    /** Whether the answer ties the connection up for a long time (the faults that could starve others). */
    boolean slow() {
      return this == HANG_AFTER_HEADERS || this == TRICKLE || this == HUGE_BODY_200 || this == HUGE_BODY_500;
    }

    /** Whether the handler answered 2xx: the receiver took the event, whatever the client made of it. */
    boolean accepts() {
      return this == NONE || this == HUGE_BODY_200;
    }
  }

  /** Picks the fault of one request; {@code arrival} is 1 for the pair's first request. Called concurrently. */
  @FunctionalInterface
  interface Rule {
    Fault answer(int endpoint, String webhookId, int arrival);
  }

  static final long HUGE_BODY_BYTES = 1L << 30;
  private static final byte[] CHUNK = new byte[64 * 1024];
  private static final Duration MAX_HANG = Duration.ofSeconds(60);

  private final ServerSocket server;
  private final int endpoints;
  private final Rule rule;
  private final long holdNanos;
  private final int healthyEndpoint;
  private final ExecutorService threads;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> accepted = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final Map<Fault, AtomicInteger> faults = new EnumMap<>(Fault.class);
  private final AtomicInteger[] acceptedByEndpoint;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger overlaps = new AtomicInteger();
  private final AtomicReference<String> firstOverlap = new AtomicReference<>();
  private final AtomicInteger slowFaultsInProgress = new AtomicInteger();
  private final AtomicInteger healthyDuringSlowFaults = new AtomicInteger();
  private final AtomicLong hugeBytesTotal = new AtomicLong();
  private final AtomicLong hugeBytesMax = new AtomicLong();
  private volatile boolean closed;

  private FaultyReceiver(int endpoints, Duration hold, int healthyEndpoint, Rule rule) throws IOException {
    this.endpoints = endpoints;
    this.rule = rule;
    this.holdNanos = hold.toNanos();
    this.healthyEndpoint = healthyEndpoint;
    this.acceptedByEndpoint = new AtomicInteger[endpoints];
    for (int i = 0; i < endpoints; i++) {
      acceptedByEndpoint[i] = new AtomicInteger();
    }
    for (Fault f : Fault.values()) {
      faults.put(f, new AtomicInteger());
    }
    AtomicInteger n = new AtomicInteger();
    this.threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "faulty-receiver-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 512);
    threads.execute(this::acceptLoop);
  }

  /**
   * Starts a receiver of {@code endpoints} endpoints; each request is held {@code hold} before it
   * is answered; {@code healthyEndpoint} (or -1) is the endpoint whose arrivals during slow faults
   * are counted.
   */
  static FaultyReceiver start(int endpoints, Duration hold, int healthyEndpoint, Rule rule) throws IOException {
    return new FaultyReceiver(endpoints, hold, healthyEndpoint, rule);
  }

  String url(int i) {
    return "http://127.0.0.1:" + server.getLocalPort() + "/r/" + i;
  }

  static String pair(int endpoint, String webhookId) {
    return endpoint + " " + webhookId;
  }

  private void acceptLoop() {
    while (!closed) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      open.add(socket);
      try {
        threads.execute(() -> serve(socket));
      } catch (RuntimeException e) {
        closeQuietly(socket);
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      socket.setSoTimeout((int) MAX_HANG.toMillis());
      socket.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      while (!closed) {
        Request request = Request.read(in);
        if (request == null || !answer(request, socket, in, out)) {
          return;
        }
      }
    } catch (IOException e) {
      // the client went away: nothing more to answer
    } finally {
      open.remove(socket);
    }
  }

  /** Answers one request; false when the connection must not be used again. */
  private boolean answer(Request request, Socket socket, InputStream in, OutputStream out) throws IOException {
    requests.incrementAndGet();
    int endpoint = endpointOf(request.target);
    if (endpoint < 0 || request.webhookId == null) {
      write(out, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
      return true;
    }
    String key = pair(endpoint, request.webhookId);
    AtomicInteger current = inFlight.computeIfAbsent(key, k -> new AtomicInteger());
    if (current.incrementAndGet() > 1) {
      overlaps.incrementAndGet();
      firstOverlap.compareAndSet(null, key);
    }
    try {
      if (endpoint == healthyEndpoint && slowFaultsInProgress.get() > 0) {
        healthyDuringSlowFaults.incrementAndGet();
      }
      if (holdNanos > 0) {
        LockSupport.parkNanos(holdNanos);
      }
      int arrival = received.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      Fault fault = rule.answer(endpoint, request.webhookId, arrival);
      faults.get(fault).incrementAndGet();
      if (fault.slow()) {
        slowFaultsInProgress.incrementAndGet();
      }
      try {
        return play(fault, key, endpoint, socket, in, out);
      } finally {
        if (fault.slow()) {
          slowFaultsInProgress.decrementAndGet();
        }
      }
    } finally {
      current.decrementAndGet();
    }
  }

  private boolean play(Fault fault, String key, int endpoint, Socket socket, InputStream in, OutputStream out)
      throws IOException {
    switch (fault) {
      case NONE:
        write(out, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        accept(key, endpoint);
        return true;
      case ERROR_500:
        write(out, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n");
        return true;
      case RESET:
        socket.setSoLinger(true, 0);
        socket.close();
        return false;
      case CLOSE_MID_RESPONSE:
        write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4096\r\n\r\n" + "x".repeat(100));
        socket.shutdownOutput();
        return false;
      case HANG_AFTER_HEADERS:
        write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4096\r\n\r\n");
        // Nothing more: wait for the client to close its end (a read sees the end of the stream).
        try {
          while (!closed && in.read() >= 0) {
            // a client sends nothing more while it waits for the body
          }
        } catch (IOException e) {
          // reset by the client, or the safety timeout
        }
        return false;
      case TRICKLE:
        write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n");
        // A second between bytes, cut short when the client closes its end (the read sees it).
        socket.setSoTimeout(1000);
        try {
          for (int i = 0; i < 100_000 && !closed; i++) {
            out.write('x');
            out.flush();
            try {
              if (in.read() < 0) {
                return false;
              }
            } catch (SocketTimeoutException e) {
              // a second has passed: the next byte
            }
          }
        } catch (IOException e) {
          // the client has gone
        }
        return false;
      case HUGE_BODY_200:
      case HUGE_BODY_500:
        if (fault == Fault.HUGE_BODY_200) {
          write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + HUGE_BODY_BYTES + "\r\n\r\n");
          accept(key, endpoint);
        } else {
          write(out, "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: "
              + HUGE_BODY_BYTES + "\r\n\r\n");
        }
        long written = 0;
        try {
          while (written < HUGE_BODY_BYTES && !closed) {
            int n = (int) Math.min(CHUNK.length, HUGE_BODY_BYTES - written);
            out.write(CHUNK, 0, n);
            written += n;
          }
        } catch (IOException e) {
          // the client stopped reading and closed: what the socket buffers took is all it got
        } finally {
          hugeBytesTotal.addAndGet(written);
          hugeBytesMax.accumulateAndGet(written, Math::max);
        }
        return false;
      default:
        throw new AssertionError(fault);
    }
  }

  private void accept(String key, int endpoint) {
    accepted.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    acceptedByEndpoint[endpoint].incrementAndGet();
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(ISO_8859_1));
    out.flush();
  }

  private int endpointOf(String target) {
    if (target == null || !target.startsWith("/r/")) {
      return -1;
    }
    try {
      int i = Integer.parseInt(target.substring(3));
      return i >= 0 && i < endpoints ? i : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Requests received for the pair, whatever the answer. */
  int received(int endpoint, String webhookId) {
    AtomicInteger n = received.get(pair(endpoint, webhookId));
    return n == null ? 0 : n.get();
  }

  /** Requests of the pair answered 2xx. */
  int accepted(int endpoint, String webhookId) {
    AtomicInteger n = accepted.get(pair(endpoint, webhookId));
    return n == null ? 0 : n.get();
  }

  /** Requests of the endpoint answered 2xx. */
  int acceptedBy(int endpoint) {
    return acceptedByEndpoint[endpoint].get();
  }

  /** Pairs answered 2xx at least once. */
  int acceptedPairs() {
    return accepted.size();
  }

  /** 2xx answers beyond the first, over all pairs. */
  int duplicates() {
    return accepted.values().stream().mapToInt(n -> n.get() - 1).sum();
  }

  int requests() {
    return requests.get();
  }

  int overlaps() {
    return overlaps.get();
  }

  /** The first pair seen overlapping, or null. */
  String firstOverlap() {
    return firstOverlap.get();
  }

  int faults(Fault f) {
    return faults.get(f).get();
  }

  /** Faults played, by kind, {@link Fault#NONE} left out. */
  String faultCounts() {
    StringBuilder s = new StringBuilder();
    for (Fault f : Fault.values()) {
      if (f != Fault.NONE) {
        s.append(s.length() == 0 ? "" : " ").append(f.name().toLowerCase(Locale.ROOT)).append('=').append(faults(f));
      }
    }
    return s.toString();
  }

  int healthyDuringSlowFaults() {
    return healthyDuringSlowFaults.get();
  }

  long hugeBytesTotal() {
    return hugeBytesTotal.get();
  }

  long hugeBytesMax() {
    return hugeBytesMax.get();
  }

  /** Closes the listening socket and every connection; the connection threads end. */
  @Override
  public void close() {
    closed = true;
    closeQuietly(server);
    for (Socket s : open) {
      closeQuietly(s);
    }
    threads.shutdownNow();
    try {
      threads.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // closing anyway
    }
  }

  /** The parts of an HTTP/1.1 request the rule needs; the body is read and dropped. */
  private record Request(String target, String webhookId) {
    /** The next request on the connection, or null at its end. */
    static Request read(InputStream in) throws IOException {
      String line = readLine(in);
      if (line == null || line.isEmpty()) {
        return null;
      }
      String[] parts = line.split(" ");
      if (parts.length < 3) {
        throw new SocketException("bad request line");
      }
      String webhookId = null;
      long length = 0;
      for (String header = readLine(in); header != null && !header.isEmpty(); header = readLine(in)) {
        int colon = header.indexOf(':');
        if (colon <= 0) {
          continue;
        }
        String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = header.substring(colon + 1).trim();
        if (name.equals("webhook-id")) {
          webhookId = value;
        } else if (name.equals("content-length")) {
          length = Long.parseLong(value);
        }
      }
      try {
        in.skipNBytes(length);
      } catch (EOFException e) {
        return null;
      }
      return new Request(parts[1], webhookId);
    }

    private static String readLine(InputStream in) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream(128);
      for (int b = in.read(); ; b = in.read()) {
        if (b < 0) {
          return line.size() == 0 ? null : line.toString(ISO_8859_1);
        }
        if (b == '\n') {
          byte[] bytes = line.toByteArray();
          int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
          return new String(bytes, 0, end, ISO_8859_1);
        }
        if (line.size() > 16 * 1024) {
          throw new SocketException("header line too long");
        }
        line.write(b);
      }
    }
  }
}
