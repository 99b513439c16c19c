package dev.webhooks.examples;

import dev.webhooks.sender.DeliveryQuery;
import dev.webhooks.sender.DeliveryService;
import dev.webhooks.sender.Page;
import dev.webhooks.sender.PageRequest;
import dev.webhooks.sender.store.AttemptRecord;
import dev.webhooks.sender.store.DeliveryRecord;
import dev.webhooks.sender.store.DeliveryStatus;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The end of the demo: per subscription, what the sender's delivery log says (read through
 * {@link DeliveryService}, as a product's dashboard would) beside what its receiver counted, then
 * totals, and the attempt log of the most retried delivery.
 */
final class SummaryTable {
  /** One subscription's line. */
  record Row(DemoSubscription subscription, int deliveries, int delivered, int failed, int pending, int attempts,
      int attempted, int retried) {
    /** Attempts per delivery attempted at least once: parked deliveries would drag it down. */
    double averageAttempts() {
      return attempted == 0 ? 0 : (double) attempts / attempted;
    }
  }

  private static final String ROW = "  %-8s %-8s %-16s %-25s %10s %9s %6s %7s %8s %5s | %5s %7s %3s%n";

  private final DeliveryService deliveries;
  private final List<Row> rows;
  private final DeliveryRecord mostRetried;

  private SummaryTable(DeliveryService deliveries, List<Row> rows, DeliveryRecord mostRetried) {
    this.deliveries = deliveries;
    this.rows = List.copyOf(rows);
    this.mostRetried = mostRetried;
  }

  /** Reads every delivery of every subscription from the delivery log, page by page. */
  static SummaryTable read(DeliveryService deliveries, List<DemoSubscription> subscriptions) {
    List<Row> rows = new ArrayList<>();
    DeliveryRecord mostRetried = null;
    for (DemoSubscription s : subscriptions) {
      int total = 0;
      int delivered = 0;
      int failed = 0;
      int attempts = 0;
      int attempted = 0;
      int retried = 0;
      PageRequest request = new PageRequest(1, PageRequest.MAX_PER_PAGE);
      while (true) {
        Page<DeliveryRecord> page = deliveries.list(s.tenantId(),
            DeliveryQuery.builder().subscription(s.subscription().id()).page(request).build());
        for (DeliveryRecord d : page.items()) {
          total++;
          attempts += d.attemptCount();
          attempted += d.attemptCount() > 0 ? 1 : 0;
          retried += d.attemptCount() > 1 ? 1 : 0;
          delivered += d.status() == DeliveryStatus.DELIVERED ? 1 : 0;
          failed += d.status() == DeliveryStatus.FAILED ? 1 : 0;
          if (d.status() == DeliveryStatus.DELIVERED && d.attemptCount() > 1
              && (mostRetried == null || d.attemptCount() > mostRetried.attemptCount())) {
            mostRetried = d;
          }
        }
        if (!page.hasMore()) {
          break;
        }
        request = page.next();
      }
      rows.add(new Row(s, total, delivered, failed, total - delivered - failed, attempts, attempted, retried));
    }
    return new SummaryTable(deliveries, rows, mostRetried);
  }

  List<Row> rows() {
    return rows;
  }

  /** The delivered delivery that needed the most attempts, if any needed more than one. */
  Optional<DeliveryRecord> mostRetried() {
    return Optional.ofNullable(mostRetried);
  }

  void print(PrintStream out, Duration elapsed) {
    out.println("Deliveries by subscription (sender: delivery log | receiver: its own counts)");
    out.printf(Locale.ROOT, ROW, "tenant", "receiver", "path", "filters", "deliveries", "delivered", "failed", "pending",
        "attempts", "avg", "valid", "invalid", "dup");
    for (Row r : rows) {
      DemoSubscription s = r.subscription();
      DemoReceiver.Endpoint e = s.endpoint();
      out.printf(Locale.ROOT, ROW, s.tenantId(), s.behaviour().label(), s.path(), s.filters(), r.deliveries(),
          r.delivered(), r.failed(), r.pending(), r.attempts(), String.format(Locale.ROOT, "%.2f", r.averageAttempts()),
          e.valid.get(), e.invalid.get(), e.duplicates.get());
    }
    int total = rows.stream().mapToInt(Row::deliveries).sum();
    int attempts = rows.stream().mapToInt(Row::attempts).sum();
    int attempted = rows.stream().mapToInt(Row::attempted).sum();
    out.printf(Locale.ROOT, ROW, "total", "", "", "", total, rows.stream().mapToInt(Row::delivered).sum(),
        rows.stream().mapToInt(Row::failed).sum(), rows.stream().mapToInt(Row::pending).sum(), attempts,
        String.format(Locale.ROOT, "%.2f", attempted == 0 ? 0 : (double) attempts / attempted),
        rows.stream().mapToInt(r -> r.subscription().endpoint().valid.get()).sum(),
        rows.stream().mapToInt(r -> r.subscription().endpoint().invalid.get()).sum(),
        rows.stream().mapToInt(r -> r.subscription().endpoint().duplicates.get()).sum());
    out.printf(Locale.ROOT, "  avg: attempts per delivery attempted; settled in %.2f s after the sender started%n",
        elapsed.toMillis() / 1000.0);
  }

  /** The attempts of the most retried delivery, as {@code sender.deliveries().attempts(…)} returns them. */
  void printAttemptLog(PrintStream out, List<DemoSubscription> subscriptions) {
    if (mostRetried == null) {
      out.println("No delivery needed a retry.");
      return;
    }
    DeliveryRecord d = mostRetried;
    String where = subscriptions.stream().filter(s -> s.subscription().id().equals(d.subscriptionId()))
        .map(DemoSubscription::name).findFirst().orElse(d.subscriptionId().toString());
    out.println("Attempt log of a retried delivery: " + d.eventType() + " to " + where + ", webhook-id " + d.eventId());
    out.printf(Locale.ROOT, "  %-3s %-9s %-6s %-9s %s%n", "#", "started", "status", "duration", "error / response body");
    List<AttemptRecord> attempts = deliveries.attempts(d.tenantId(), d.id());
    for (AttemptRecord a : attempts) {
      long offset = Duration.between(attempts.get(0).startedAt(), a.startedAt()).toMillis();
      out.printf(Locale.ROOT, "  %-3d %-9s %-6s %-9s %s%n", a.number(), "+" + offset + " ms",
          a.httpStatus() == 0 ? "-" : String.valueOf(a.httpStatus()), a.duration().toMillis() + " ms",
          a.error().orElse(a.responseExcerpt().isEmpty() ? "-" : a.responseExcerpt()));
    }
  }
}
