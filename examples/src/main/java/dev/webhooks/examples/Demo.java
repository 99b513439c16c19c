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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The README's demo: a SaaS backend offering webhooks to three tenants. Three local receivers (a
 * healthy one, a flaky one, one that answers 410 Gone) verify every request; six subscriptions;
 * a burst of events; progress while the sender delivers; then a summary of deliveries and attempts
 * from the sender's delivery log beside the receivers' own counts. Exits non-zero unless every
 * delivery to the healthy and flaky receivers arrived and every request verified.
 *
 * <pre>{@code mvn -B -q -pl examples -am compile exec:java}</pre>
 */
public final class Demo {
  static final int EVENTS = 400;
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final Duration PROGRESS_EVERY = Duration.ofMillis(250);
  private static final List<String> TENANTS = List.of("acme", "globex", "initech");

  private final PrintStream out;

  Demo(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    if (!new Demo(System.out).run().success()) {
      System.exit(1);
    }
  }

  /** Runs the whole scenario, printing as it goes; every server and thread it starts is stopped. */
  DemoResult run() throws Exception {
    try (DemoReceiver healthy = DemoReceiver.start(Behaviour.HEALTHY);
        DemoReceiver flaky = DemoReceiver.start(Behaviour.FLAKY);
        DemoReceiver gone = DemoReceiver.start(Behaviour.GONE)) {
      List<DemoReceiver> receivers = List.of(healthy, flaky, gone);
      Progress progress = new Progress();
      Path folder = Files.createTempDirectory("webhooks-demo");
      // The durable default on one machine: an embedded H2 file, written at each commit
      // (WRITE_DELAY=0, which the store requires) and kept open while the demo runs
      // (DB_CLOSE_DELAY=-1) so that each operation does not reopen the file; shut down at the end.
      JdbcDataSource h2 = new JdbcDataSource();
      h2.setURL("jdbc:h2:file:" + folder.resolve("webhooks") + ";WRITE_DELAY=0;DB_CLOSE_DELAY=-1");
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
      try {
        intro(receivers, folder);
        subscriptions = subscribe(sender, healthy, flaky, gone);
        publish(sender, subscriptions, progress);
        long start = System.nanoTime();
        sender.start();
        settled = watch(progress, receivers, start);
        elapsed = Duration.ofNanos(System.nanoTime() - start);
      } finally {
        sender.close(); // attempts in flight finish; nothing pending is lost
      }
      SummaryTable table = SummaryTable.read(sender.deliveries(), subscriptions);
      out.println();
      table.print(out, elapsed);
      out.println();
      table.printAttemptLog(out, subscriptions);
      DemoResult result = DemoResult.of(table, sender.subscriptions(), settled, elapsed);
      out.println();
      verdict(result, table);
      store.close();
      try (Connection c = h2.getConnection(); Statement s = c.createStatement()) {
        s.execute("SHUTDOWN");
      }
      deleteTree(folder);
      return result;
    }
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
