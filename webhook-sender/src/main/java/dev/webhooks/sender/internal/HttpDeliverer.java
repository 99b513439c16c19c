package dev.webhooks.sender.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.webhooks.core.WebhookValidationException;
import dev.webhooks.core.url.UrlPolicy;
import dev.webhooks.sender.internal.AttemptResult.Outcome;
import java.io.IOException;
import java.io.InputStream;
import java.net.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import okhttp3.Authenticator;
import okhttp3.Call;
import okhttp3.CookieJar;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes one HTTP delivery attempt: POSTs a signed {@link DeliveryRequest} and reports what
 * happened as an {@link AttemptResult}. Thread-safe; blocks the calling thread for at most about
 * the timeout; never throws for what the receiver or the network does.
 *
 * <p>Its OkHttp client is derived from the caller's (sharing its connection pool, dispatcher and
 * TLS settings) or new, and is locked down: redirects are not followed (a 3xx is a failure), no
 * proxy is used (it would resolve names past the address check), every resolved address is checked
 * against the {@link UrlPolicy} at connect time ({@link PolicyDns}), OkHttp never retries on its
 * own (the retry policy decides, and a silent retry could deliver twice), the caller's interceptors,
 * cache, cookies and authenticators are dropped, and the connect, read, write and whole-call
 * timeouts are all the given timeout. The URL is checked against the policy before each attempt,
 * since IP-literal hosts never reach the DNS check; or, when the policy does not {@linkplain
 * UrlPolicy#resolvesNames() resolve names} (its answer then depends on the URL alone), once, and
 * the URLs it allowed are kept with their parsed form (up to {@value #MAX_CHECKED_URLS}, all
 * forgotten by {@link #forgetCheckedUrls()}) instead of being parsed three times per attempt. At
 * most {@code excerptBytes} of the response body are read: the rest is never downloaded.
 *
 * <pre>{@code
 * try (HttpDeliverer deliverer = new HttpDeliverer(null, UrlPolicy.strict(),
 *     HttpDeliverer.DEFAULT_TIMEOUT, HttpDeliverer.DEFAULT_EXCERPT_BYTES, System::nanoTime)) {
 *   AttemptResult result = deliverer.deliver(request);
 * }
 * }</pre>
 *
 * <p>Logs, at DEBUG only, the URL's host and the outcome: never header values, bodies, paths or
 * queries.
 */
public final class HttpDeliverer implements AutoCloseable {
  /** The timeout the products promise their users: 5 seconds for the whole attempt. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  /** How much of a response body is kept by default: 2 KiB. */
  public static final int DEFAULT_EXCERPT_BYTES = 2048;
  /** The largest excerpt cap allowed: 1 MiB. */
  static final int MAX_EXCERPT_BYTES = 1 << 20;
  static final String DEFAULT_CONTENT_TYPE = "application/json";
  /** OkHttp's own default. */
  static final int DEFAULT_IDLE_CONNECTIONS = 5;
  /** URLs kept with their policy check's answer; all are forgotten when there would be more. */
  static final int MAX_CHECKED_URLS = 4096;

  private static final Logger log = LoggerFactory.getLogger(HttpDeliverer.class);

  private final OkHttpClient client;
  private final boolean ownsClient;
  private final UrlPolicy policy;
  private final Duration timeout;
  private final int excerptBytes;
  private final LongSupplier nanoTime;
  private final Clock clock;
  /** URLs the policy allowed, as given, and their OkHttp form; null when the policy asks DNS. */
  private final ConcurrentHashMap<String, HttpUrl> checked;
  /** Each thread's buffer for the response excerpt: read into, copied out, never kept. */
  private final ThreadLocal<byte[]> excerptBuffers;
  private volatile boolean closed;

  /**
   * @param base the caller's client to derive ours from (its connection pool, dispatcher, DNS and
   *     TLS settings), or null for a new one
   * @param policy checks the URL before each attempt (once per URL when it does not resolve names)
   *     and every resolved address at connect time
   * @param timeout bounds connecting, each read and write, and the whole attempt; at least 1 ms
   * @param excerptBytes how much of the response body to read and keep, 0..1 MiB
   * @param nanoTime measures the attempt's duration, such as {@code System::nanoTime}
   * @throws NullPointerException if an argument other than {@code base} is null
   * @throws IllegalArgumentException if {@code timeout} or {@code excerptBytes} is out of range
   */
  public HttpDeliverer(OkHttpClient base, UrlPolicy policy, Duration timeout, int excerptBytes,
      LongSupplier nanoTime) {
    this(base, policy, timeout, excerptBytes, nanoTime, Clock.systemUTC(), DEFAULT_IDLE_CONNECTIONS);
  }

  /**
   * As above, keeping up to {@code idleConnections} connections open for reuse when it makes its
   * own client (a caller's client keeps its own pool): as many as the workers that send at once,
   * or connections are closed after one request and opened again for the next.
   */
  public HttpDeliverer(OkHttpClient base, UrlPolicy policy, Duration timeout, int excerptBytes,
      LongSupplier nanoTime, int idleConnections) {
    this(base, policy, timeout, excerptBytes, nanoTime, Clock.systemUTC(), idleConnections);
  }

  /** As the public constructor, with the clock that dates a {@code Retry-After} without a {@code Date}. */
  HttpDeliverer(OkHttpClient base, UrlPolicy policy, Duration timeout, int excerptBytes, LongSupplier nanoTime,
      Clock clock) {
    this(base, policy, timeout, excerptBytes, nanoTime, clock, DEFAULT_IDLE_CONNECTIONS);
  }

  private HttpDeliverer(OkHttpClient base, UrlPolicy policy, Duration timeout, int excerptBytes, LongSupplier nanoTime,
      Clock clock, int idleConnections) {
    if (idleConnections < 1) {
      throw new IllegalArgumentException("idleConnections < 1: " + idleConnections);
    }
    this.policy = requireNonNull(policy, "policy == null");
    requireNonNull(timeout, "timeout == null");
    if (timeout.toMillis() < 1 || timeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException("timeout is not between 1 ms and " + Integer.MAX_VALUE + " ms: " + timeout);
    }
    if (excerptBytes < 0 || excerptBytes > MAX_EXCERPT_BYTES) {
      throw new IllegalArgumentException("excerptBytes is not between 0 and " + MAX_EXCERPT_BYTES + ": " + excerptBytes);
    }
    this.timeout = timeout;
    this.excerptBytes = excerptBytes;
    this.nanoTime = requireNonNull(nanoTime, "nanoTime == null");
    this.clock = requireNonNull(clock, "clock == null");
    this.client = derive(base, policy, timeout, idleConnections);
    this.ownsClient = base == null;
    this.checked = policy.resolvesNames() ? null : new ConcurrentHashMap<>();
    this.excerptBuffers = ThreadLocal.withInitial(() -> new byte[excerptBytes]);
  }

  /**
   * Forgets the URLs the policy allowed (a URL's query may hold a token), as when a subscription is
   * deleted; each is checked again at its next attempt. A subscription's old URL after an update
   * is not forgotten at once: it goes when the cache fills, or at the next call.
   */
  public void forgetCheckedUrls() {
    if (checked != null) {
      checked.clear();
    }
  }

  /** The bound on each attempt, as given. */
  public Duration timeout() {
    return timeout;
  }

  /** The locked-down client; see the class comment. */
  static OkHttpClient derive(OkHttpClient base, UrlPolicy policy, Duration timeout, int idleConnections) {
    // A client of our own keeps a connection per sending worker; a caller's keeps its own pool.
    OkHttpClient.Builder builder = base == null
        ? new OkHttpClient.Builder().connectionPool(new ConnectionPool(idleConnections, 5, TimeUnit.MINUTES))
        : base.newBuilder();
    Dns dns = base == null ? Dns.SYSTEM : base.dns();
    builder.interceptors().clear();
    builder.networkInterceptors().clear();
    return builder
        .followRedirects(false)
        .followSslRedirects(false)
        .proxy(Proxy.NO_PROXY)
        .proxyAuthenticator(Authenticator.NONE)
        .authenticator(Authenticator.NONE)
        .cookieJar(CookieJar.NO_COOKIES)
        .cache(null)
        .dns(new PolicyDns(policy, dns))
        .retryOnConnectionFailure(false)
        .connectTimeout(timeout)
        .readTimeout(timeout)
        .writeTimeout(timeout)
        .callTimeout(timeout)
        .build();
  }

  /** The derived client, for tests. */
  OkHttpClient client() {
    return client;
  }

  /**
   * POSTs the request once and reports the outcome: 2xx is {@link Outcome#SUCCESS}, 410 is
   * {@link Outcome#GONE}, anything else (3xx included: redirects are not followed), a timeout, a
   * network error or a refusal by the URL policy is {@link Outcome#FAILURE}. A failure while
   * reading the excerpt after the status arrived is a failure too, with the status kept.
   *
   * @throws NullPointerException if {@code request} is null
   * @throws IllegalStateException if this deliverer is closed
   */
  public AttemptResult deliver(DeliveryRequest request) {
    requireNonNull(request, "request == null");
    if (closed) {
      throw new IllegalStateException("closed");
    }
    long start = nanoTime.getAsLong();
    HttpUrl httpUrl;
    try {
      httpUrl = allowedUrl(request.url().toString());
    } catch (WebhookValidationException e) {
      return finish(String.valueOf(request.url().getHost()), start, Outcome.FAILURE, 0, "", Optional.empty(),
          Optional.of("refused by URL policy: " + e.getMessage()));
    }
    if (httpUrl == null) {
      return finish(String.valueOf(request.url().getHost()), start, Outcome.FAILURE, 0, "", Optional.empty(),
          Optional.of("url is not supported by the HTTP client"));
    }
    String host = httpUrl.host();
    Call call = client.newCall(toHttp(request, httpUrl));
    int status = 0;
    String excerpt;
    Optional<Duration> retryAfter;
    Optional<String> error;
    try (Response response = call.execute()) {
      status = response.code();
      excerpt = readExcerpt(response, call);
      retryAfter = RetryAfter.applies(status)
          ? RetryAfter.parse(response.header("Retry-After"), response.header("Date"), clock)
          : Optional.empty();
      error = status >= 300 && status < 400 ? Optional.of(redirectError(response)) : Optional.empty();
    } catch (IOException e) {
      if (IoErrors.isInterrupted(e)) {
        Thread.currentThread().interrupt();
      }
      return finish(host, start, Outcome.FAILURE, status, "", Optional.empty(),
          Optional.of(IoErrors.describe(e, status != 0, timeout, host)));
    }
    Outcome outcome = status >= 200 && status < 300 ? Outcome.SUCCESS
        : status == 410 ? Outcome.GONE
        : Outcome.FAILURE;
    return finish(host, start, outcome, status, excerpt, retryAfter, error);
  }

  /**
   * The URL as the policy allows it, in OkHttp's form: kept from an earlier check when the policy's
   * answer depends on the URL alone. Null when OkHttp cannot parse the normalised URL.
   *
   * @throws WebhookValidationException when the policy refuses the URL
   */
  private HttpUrl allowedUrl(String given) {
    HttpUrl kept = checked == null ? null : checked.get(given);
    if (kept != null) {
      return kept;
    }
    HttpUrl parsed = HttpUrl.parse(policy.check(given).toString());
    if (parsed != null && checked != null) {
      if (checked.size() >= MAX_CHECKED_URLS) {
        checked.clear(); // many subscriptions: the busy ones come back at their next attempt
      }
      checked.put(given, parsed);
    }
    return parsed;
  }

  private Request toHttp(DeliveryRequest request, HttpUrl url) {
    Request.Builder builder = new Request.Builder().url(url);
    for (Map.Entry<String, String> header : request.headers().entrySet()) {
      builder.addHeader(header.getKey(), header.getValue());
    }
    if (request.header("Content-Type") == null) {
      builder.addHeader("Content-Type", DEFAULT_CONTENT_TYPE);
    }
    // No media type on the body: OkHttp would rewrite the Content-Type header from it, and the
    // receiver must get the header exactly as it was signed.
    return builder.post(RequestBody.create(request.bodyBytes())).build();
  }

  /**
   * Reads at most {@code excerptBytes} of the body. When more may follow, cancels the call first:
   * closing the body alone would make OkHttp read on, to keep the connection.
   */
  private String readExcerpt(Response response, Call call) throws IOException {
    ResponseBody body = response.body();
    byte[] buffer = excerptBuffers.get(); // not a new 2 KiB per attempt: most bodies are empty or short
    InputStream in = body.byteStream();
    int read = in.readNBytes(buffer, 0, excerptBytes);
    boolean truncated = read == excerptBytes && body.contentLength() != excerptBytes;
    if (truncated) {
      call.cancel();
    }
    // An empty body (the usual 2xx) gives the one empty string: the delivery log keeps the excerpt.
    return read == 0 ? "" : new String(buffer, 0, truncated ? completeUtf8Length(buffer, read) : read, UTF_8);
  }

  /** {@code length}, less an incomplete UTF-8 sequence cut at its end. */
  static int completeUtf8Length(byte[] bytes, int length) {
    for (int i = length - 1; i >= 0 && i >= length - 3; i--) {
      int b = bytes[i] & 0xff;
      if (b < 0x80) {
        return length;
      }
      if (b >= 0xc0) {
        int sequence = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
        return i + sequence > length ? i : length;
      }
    }
    return length;
  }

  /** The status and the Location's host only: its path and query may hold tokens. */
  private static String redirectError(Response response) {
    String error = "redirect not followed (" + response.code() + ")";
    String location = response.header("Location");
    HttpUrl target = location == null ? null : response.request().url().resolve(location);
    return target == null ? error : error + " to " + target.host();
  }

  private AttemptResult finish(String host, long start, Outcome outcome, int status, String excerpt,
      Optional<Duration> retryAfter, Optional<String> error) {
    Duration duration = Duration.ofNanos(Math.max(0, nanoTime.getAsLong() - start));
    if (log.isDebugEnabled()) {
      log.debug("attempt to {}: {} {} in {} ms{}", host, outcome, status, duration.toMillis(),
          error.map(e -> ": " + e).orElse(""));
    }
    return new AttemptResult(outcome, status, duration, excerpt, retryAfter, error);
  }

  /**
   * Releases what this deliverer created: with no base client, its dispatcher's threads and its
   * pooled connections; a caller's pool and dispatcher are left alone. Later {@link #deliver} calls
   * throw. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (ownsClient) {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }

  @Override
  public String toString() {
    return "HttpDeliverer[timeout=" + timeout + ", excerptBytes=" + excerptBytes + ", policy=" + policy + "]";
  }
}
