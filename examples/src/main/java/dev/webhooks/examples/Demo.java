package dev.webhooks.examples;

import dev.webhooks.core.subscription.SubscriptionSpec;
import dev.webhooks.core.url.UrlPolicy;
import dev.webhooks.examples.DemoReceiver.Behaviour;
import dev.webhooks.sender.CreatedSubscription;
import dev.webhooks.sender.RetryPolicy;
import dev.webhooks.sender.WebhookSender;
import dev.webhooks.sender.store.jdbc.JdbcWebhookStore;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The README's demo: a SaaS backend offering webhooks to three tenants. Three local receivers (a
 * healthy one, a flaky one, one that answers 410 Gone) verify every request; six subscriptions;
 * a burst of events; progress while the sender delivers; then a summary of deliveries and attempts
 * from the sender's delivery log beside the receivers' own counts. Exits non-zero unless every
 * delivery to the healthy and flaky receivers arrived and every request verified.
 *
 * <p>With {@code --serve}, the demo then keeps running and serves the management REST API over
 * its sender on {@code 127.0.0.1:8080} (or {@code --port N}), with one read-write API key per
 * tenant and a read-only one, until Ctrl-C; the receivers and the sender keep running, so test
 * events and retries sent through the API are delivered for real.
 *
 * <pre>{@code
 * mvn -B -q -pl examples -am compile exec:java
 * mvn -B -q -pl examples -am compile exec:java -Dexec.args=--serve
 * mvn -B -q -pl examples -am compile exec:java -Dexec.args="--serve --port 9090"
 * }</pre>
 */
public final class Demo {
  static final int EVENTS = 400;
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final Duration PROGRESS_EVERY = Duration.ofMillis(250);
  static final List<String> TENANTS = List.of("acme", "globex", "initech");
  /** Where webhooks created through the API in serve mode can deliver: the healthy receiver accepts anything there. */
  static final String INBOX = "/inbox/";

  /**
   * How the demo runs.
   *
   * @param serve whether to serve the management API after the burst, until {@link #stop()}
   * @param host the address the API listens on
   * @param port its port; 0 for any free one
   */
  record Options(boolean serve, String host, int port) {
    static final Options ONCE = new Options(false, "127.0.0.1", 8080);
    static final String USAGE = "usage: Demo [--serve [--port N]]";

    /** The options of the command line; {@link IllegalArgumentException} with a message for bad ones. */
    static Options parse(String... args) {
      boolean serve = false;
      Integer port = null;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--serve":
            serve = true;
            break;
          case "--port":
            if (i + 1 == args.length) {
              throw new IllegalArgumentException("--port needs a number; " + USAGE);
            }
            try {
              port = Integer.parseInt(args[++i]);
            } catch (NumberFormatException e) {
              port = -1;
            }
            if (port < 0 || port > 65535) {
              throw new IllegalArgumentException("--port must be within 0..65535; " + USAGE);
            }
            break;
          default:
            throw new IllegalArgumentException("unknown argument " + args[i] + "; " + USAGE);
        }
      }
      if (port != null && !serve) {
        throw new IllegalArgumentException("--port goes with --serve; " + USAGE);
      }
      return new Options(serve, ONCE.host(), port == null ? ONCE.port() : port);
    }
  }

  private final PrintStream out;
  private final Options options;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final CompletableFuture<URI> serving = new CompletableFuture<>();

  Demo(PrintStream out) {
    this(out, Options.ONCE);
  }

  Demo(PrintStream out, Options options) {
    this.out = out;
    this.options = options;
  }

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Demo demo = new Demo(System.out, options);
    if (!options.serve()) {
      if (!demo.run().success()) {
        System.exit(1);
      }
      return;
    }
    // Ctrl-C: stop serving, then wait for the demo to close its sender and delete its database.
    CountDownLatch finished = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      demo.stop();
      try {
        finished.await(15, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "demo-shutdown"));
    try {
      demo.run();
    } finally {
      finished.countDown();
    }
  }

  /** In serve mode: stops serving; {@link #run()} then cleans up and returns. */
  void stop() {
    stop.countDown();
  }

  /** In serve mode: completes with the API's base URI once it answers (never in the default mode). */
  CompletableFuture<URI> serving() {
    return serving;
  }

  /**
   * Runs the whole scenario, printing as it goes; in serve mode, then serves the API until {@link
   * #stop()}. Every server and thread it starts is stopped.
   */
  DemoResult run() throws Exception {
    try {
      return scenario();
    } finally {
      serving.completeExceptionally(new IllegalStateException("the demo ended without serving the API"));
    }
  }

  private DemoResult scenario() throws Exception {
    try (DemoApi api = options.serve() ? bindApi() : null;
        DemoReceiver healthy = DemoReceiver.start(Behaviour.HEALTHY);
        DemoReceiver flaky = DemoReceiver.start(Behaviour.FLAKY);
        DemoReceiver gone = DemoReceiver.start(Behaviour.GONE)) {
      List<DemoReceiver> receivers = List.of(healthy, flaky, gone);
      Progress progress = new Progress();
      Path folder = Files.createTempDirectory("webhooks-demo");
      // The durable default on one machine: an embedded H2 file, written at each commit
      // (WRITE_DELAY=0, which the store requires) and kept open while the demo runs
      // (DB_CLOSE_DELAY=-1) so that each operation does not reopen the file; shut down at the end.
      JdbcDataSource h2 = new JdbcDataSource();
      // Serving ends with Ctrl-C: then the demo closes the database itself, not H2's own shutdown hook.
      h2.setURL("jdbc:h2:file:" + folder.resolve("webhooks") + ";WRITE_DELAY=0;DB_CLOSE_DELAY=-1"
          + (options.serve() ? ";DB_CLOSE_ON_EXIT=FALSE" : ""));
      JdbcWebhookStore store = JdbcWebhookStore.create(h2);
      WebhookSender sender = WebhookSender.builder()
          .catalog(DemoEvents.catalog())
          .store(store)
          // For this demo only: production keeps the default UrlPolicy.strict() (HTTPS, public hosts).
          .urlPolicy(UrlPolicy.builder().allowHttp(true).allowCidr("127.0.0.1/32").build())
          .retryPolicy(RetryPolicy.schedule(List.of(Duration.ofMillis(200), Duration.ofMillis(500),
              Duration.ofSeconds(1), Duration.ofSeconds(2))))
          // The demo's schedule is seconds long, so its circuit breaker pauses a failing endpoint for
          // a second, not the default 30 s: the flaky receiver fails several times in a row by design.
          .circuitBreaker(5, Duration.ofSeconds(1))
          .listener(progress)
          .pollInterval(Duration.ofMillis(50))
          .timeout(Duration.ofSeconds(2))
          .closeGrace(Duration.ofSeconds(5))
          .build();
      List<DemoSubscription> subscriptions;
      boolean settled;
      Duration elapsed;
      boolean keepSending = false; // serve mode: the sender keeps delivering what the API sends
      try {
        intro(receivers, folder);
        subscriptions = subscribe(sender, healthy, flaky, gone);
        publish(sender, subscriptions, progress);
        long start = System.nanoTime();
        sender.start();
        settled = watch(progress, receivers, start);
        elapsed = Duration.ofNanos(System.nanoTime() - start);
        keepSending = options.serve();
      } finally {
        if (!keepSending) {
          sender.close(); // attempts in flight finish; nothing pending is lost
        }
      }
      DemoResult result;
      try {
        SummaryTable table = SummaryTable.read(sender.deliveries(), subscriptions);
        out.println();
        table.print(out, elapsed);
        out.println();
        table.printAttemptLog(out, subscriptions);
        result = DemoResult.of(table, sender.subscriptions(), settled, elapsed);
        out.println();
        verdict(result, table);
        if (keepSending) {
          serve(api, sender, subscriptions, healthy);
        }
      } finally {
        if (keepSending) {
          sender.close();
        }
      }
      store.close();
      try (Connection c = h2.getConnection(); Statement s = c.createStatement()) {
        s.execute("SHUTDOWN");
      }
      deleteTree(folder);
      return result;
    }
  }

  private DemoApi bindApi() throws IOException {
    try {
      return DemoApi.bind(options.host(), options.port());
    } catch (IOException e) {
      throw new IOException("cannot listen on " + options.host() + ":" + options.port() + " (" + e.getMessage()
          + "); choose another port with --port N", e);
    }
  }

  /** Serves the management API over the running sender until {@link #stop()}. */
  private void serve(DemoApi api, WebhookSender sender, List<DemoSubscription> subscriptions, DemoReceiver healthy)
      throws InterruptedException {
    healthy.acceptAll(INBOX);
    api.serve(sender);
    URI base = api.base();
    DemoSubscription acme = subscriptions.get(0);
    String auth = " -H 'Authorization: Bearer demo_acme_rw'";
    out.println();
    out.println("Management REST API on " + base + " (OpenAPI document: " + base + "/openapi.json)");
    out.println("API keys (Authorization: Bearer <key>):");
    DemoApi.KEYS.forEach((key, caller) -> out.printf(Locale.ROOT, "  %-16s tenant %-8s %s%n", key, caller.tenantId(),
        caller.permissions().stream().map(p -> p.scope()).sorted().collect(Collectors.joining(", "))));
    out.println("Webhooks you create can deliver to " + healthy.url(INBOX) + "<anything>: it answers 204 to every request.");
    out.println("Try:");
    out.println("  curl -s " + base + "/webhooks" + auth);
    out.println("  curl -s '" + base + "/webhooks/" + acme.subscription().id() + "/deliveries?per_page=2'" + auth);
    out.println("  curl -s -X POST " + base + "/webhooks" + auth + " -H 'Content-Type: application/json'"
        + " -d '{\"url\": \"" + healthy.url(INBOX + "acme") + "\", \"events\": [\"lookup.completed\"]}'");
    out.println("  curl -s -X POST " + base + "/webhooks/" + acme.subscription().id() + "/test" + auth
        + " -H 'Content-Type: application/json' -d '{\"event\": \"credits.exhausted\"}'");
    out.println("  curl -s " + base + "/event-types" + auth);
    out.println("The sender and the receivers keep running: test events and retries are delivered for real."
        + " Stop with Ctrl-C.");
    serving.complete(base);
    stop.await();
    api.close();
    out.println("Stopping: the API, the sender, the receivers; the database is deleted.");
  }

  private static void deleteTree(Path folder) throws IOException {
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private void intro(List<DemoReceiver> receivers, Path folder) {
    out.println("Webhooks SDK demo: one sender, " + receivers.size() + " local receivers, tenants " + TENANTS
        + ", a burst of " + EVENTS + " events.");
    out.println("Store: JdbcWebhookStore on an embedded H2 file in " + folder
        + " (durable: a restart resumes what is pending; PostgreSQL for several nodes).");
    out.println("URL policy: http to 127.0.0.1 is allowed for this demo only; production uses UrlPolicy.strict()"
        + " (HTTPS, public addresses).");
    out.println("Retry policy: at once, then after 200 ms, 500 ms, 1 s, 2 s (5 attempts); Retry-After is honoured.");
    out.println();
    out.println("Receivers (each verifies every request with WebhookVerifier and its subscription's secret):");
    for (DemoReceiver r : receivers) {
      out.printf(Locale.ROOT, "  %-8s %-23s %s%n", r.behaviour().label(), r.url(""), r.behaviour().description);
    }
    out.println();
  }

  private List<DemoSubscription> subscribe(WebhookSender sender, DemoReceiver healthy, DemoReceiver flaky,
      DemoReceiver gone) {
    record Plan(String tenant, DemoReceiver receiver, String path, List<String> events) {}
    List<Plan> plans = List.of(
        new Plan("acme", healthy, "/acme/webhooks", List.of("*")),
        new Plan("acme", flaky, "/acme/audit", List.of("apikey.*")),
        new Plan("globex", flaky, "/globex/lookups", List.of("lookup.completed")),
        new Plan("globex", healthy, "/globex/billing", List.of("credits.*")),
        new Plan("initech", healthy, "/initech/hooks", List.of("lookup.completed", "apikey.*")),
        new Plan("initech", gone, "/initech/legacy", List.of("*")));
    out.println("Subscriptions (the secret is shown once, at creation; abbreviated here):");
    List<DemoSubscription> subscriptions = new ArrayList<>();
    for (Plan p : plans) {
      CreatedSubscription c = sender.subscriptions().create(p.tenant(), SubscriptionSpec.builder()
          .url(p.receiver().url(p.path())).events(p.events()).description("demo " + p.path()).build());
      DemoSubscription s = new DemoSubscription(p.tenant(), c.subscription(), p.receiver().endpoint(p.path(), c.secret()));
      subscriptions.add(s);
      out.printf(Locale.ROOT, "  %-8s %s  %-38s %-25s secret %s%n", s.tenantId(), s.subscription().id(),
          s.subscription().url(), s.filters(), c.secret().substring(0, 10) + "…");
    }
    out.println();
    return subscriptions;
  }

  private void publish(WebhookSender sender, List<DemoSubscription> subscriptions, Progress progress) {
    long start = System.nanoTime();
    Map<String, Integer> byType = new TreeMap<>();
    Map<DemoSubscription, Integer> expected = new LinkedHashMap<>();
    int deliveries = 0;
    for (DemoEvents.Event e : DemoEvents.burst(TENANTS, EVENTS, 42)) {
      deliveries += sender.publish(e.tenantId(), e.type(), e.data()).deliveries();
      byType.merge(e.type(), 1, Integer::sum);
      for (DemoSubscription s : subscriptions) {
        if (s.tenantId().equals(e.tenantId()) && s.subscription().filters().matches(e.type())) {
          expected.merge(s, 1, Integer::sum);
        }
      }
    }
    subscriptions.forEach(s -> progress.expect(s.subscription().id(), s.name(), expected.getOrDefault(s, 0)));
    if (progress.snapshot().total() != deliveries) {
      throw new IllegalStateException("fan-out created " + deliveries + " deliveries, the filters predict "
          + progress.snapshot().total());
    }
    out.printf(Locale.ROOT, "Published %d events in %d ms: %s (%s is declared, not emitted yet) -> %d deliveries.%n",
        EVENTS, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), byType, DemoEvents.NOT_YET_EMITTED,
        deliveries);
    out.println("Starting the sender; progress every " + PROGRESS_EVERY.toMillis() + " ms:");
  }

  /** Prints progress lines until every delivery settled or the timeout; answers whether they settled. */
  private boolean watch(Progress progress, List<DemoReceiver> receivers, long start) throws InterruptedException {
    ScheduledExecutorService printer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "demo-progress");
      t.setDaemon(true);
      return t;
    });
    long every = PROGRESS_EVERY.toMillis();
    printer.scheduleAtFixedRate(() -> printProgress(progress, receivers, start, ""), every, every,
        TimeUnit.MILLISECONDS);
    boolean settled;
    try {
      settled = progress.awaitSettled(TIMEOUT);
    } finally {
      printer.shutdown();
      printer.awaitTermination(5, TimeUnit.SECONDS);
    }
    printProgress(progress, receivers, start, settled ? "  (settled)" : "  (timed out)");
    if (!settled) {
      out.println("Timed out after " + TIMEOUT.toSeconds() + " s with deliveries still pending.");
    }
    return settled;
  }

  private void printProgress(Progress progress, List<DemoReceiver> receivers, long start, String suffix) {
    for (String notice = progress.pollNotice(); notice != null; notice = progress.pollNotice()) {
      out.println("  ! " + notice);
    }
    Progress.Snapshot p = progress.snapshot();
    StringBuilder received = new StringBuilder();
    for (DemoReceiver r : receivers) {
      received.append(received.length() == 0 ? "" : ", ").append(r.behaviour().label()).append(' ').append(r.requests());
    }
    out.printf(Locale.ROOT, "  %5.2f s  delivered %4d/%d  retrying %3d  given up %3d  attempts %4d  | requests: %s%s%n",
        (System.nanoTime() - start) / 1e9, p.delivered(), p.total(), p.retrying(), p.givenUp(), p.attempts(), received,
        suffix);
  }

  private void verdict(DemoResult r, SummaryTable table) {
    String gone = table.rows().stream().filter(row -> row.subscription().behaviour() == Behaviour.GONE)
        .map(row -> row.subscription().name() + " answered 410 and was " + (r.goneDisabled() ? "" : "NOT ")
            + "disabled: " + row.failed() + " failed, " + row.pending() + " kept pending for recovery")
        .findFirst().orElse("");
    if (r.success()) {
      out.printf(Locale.ROOT, "OK: all %d deliveries to the healthy and flaky receivers arrived (%d after a retry),"
          + " no request failed verification, %d duplicates. %s.%n", r.liveDeliveries(), r.retriedDeliveries(),
          r.duplicates(), gone);
    } else {
      out.printf(Locale.ROOT, "FAILED: %d of %d live deliveries arrived, %d requests failed verification%s.%n",
          r.liveDelivered(), r.liveDeliveries(), r.invalidSignatures(), r.settled() ? "" : ", timed out");
    }
  }
}
