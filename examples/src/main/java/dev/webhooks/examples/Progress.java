package dev.webhooks.examples;

import dev.webhooks.core.subscription.DisabledReason;
import dev.webhooks.core.subscription.Subscription;
import dev.webhooks.sender.DeliveryListener;
import dev.webhooks.sender.store.AttemptRecord;
import dev.webhooks.sender.store.DeliveryRecord;
import dev.webhooks.sender.store.DeliveryStatus;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The sender's {@link DeliveryListener}: counts attempts and outcomes for the progress lines, and
 * tells when every delivery has settled. A delivery settles when it is delivered or given up; the
 * pending deliveries of a subscription the sender disabled are kept, parked, and count as settled.
 * Thread-safe: the sender's workers call it, the demo's thread reads it.
 */
final class Progress implements DeliveryListener {
  /** What the progress line shows. */
  record Snapshot(int total, int attempts, int delivered, int retrying, int givenUp) {}

  private final Map<UUID, Integer> expected = new HashMap<>();
  private final Map<UUID, Integer> finished = new HashMap<>();
  private final Set<UUID> disabled = new HashSet<>();
  private final Set<UUID> retrying = new HashSet<>();
  private final Queue<String> notices = new ConcurrentLinkedQueue<>();
  private final Map<UUID, String> names = new HashMap<>();
  private int attempts;
  private int delivered;
  private int givenUp;

  /** Registers a subscription, its name in notices, and the deliveries published to it. */
  synchronized void expect(UUID subscription, String name, int deliveries) {
    expected.merge(subscription, deliveries, Integer::sum);
    names.put(subscription, name);
  }

  @Override
  public synchronized void onAttempt(DeliveryRecord delivery, AttemptRecord attempt) {
    attempts++;
    if (delivery.status() == DeliveryStatus.PENDING) {
      retrying.add(delivery.id());
    }
  }

  @Override
  public synchronized void onDelivered(DeliveryRecord delivery) {
    delivered++;
    settle(delivery);
  }

  @Override
  public synchronized void onGivenUp(DeliveryRecord delivery) {
    givenUp++;
    settle(delivery);
  }

  @Override
  public synchronized void onSubscriptionDisabled(Subscription subscription, DisabledReason reason) {
    disabled.add(subscription.id());
    notices.add(names.getOrDefault(subscription.id(), subscription.id().toString()) + " was disabled by the sender ("
        + reason + "); its pending deliveries are kept for recovery");
    notifyAll();
  }

  private void settle(DeliveryRecord delivery) {
    retrying.remove(delivery.id());
    finished.merge(delivery.subscriptionId(), 1, Integer::sum);
    notifyAll();
  }

  synchronized boolean isSettled() {
    for (Map.Entry<UUID, Integer> e : expected.entrySet()) {
      if (!disabled.contains(e.getKey()) && finished.getOrDefault(e.getKey(), 0) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** Waits until every delivery has settled, or {@code timeout}; answers whether they did. */
  synchronized boolean awaitSettled(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!isSettled()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }

  synchronized Snapshot snapshot() {
    int total = expected.values().stream().mapToInt(Integer::intValue).sum();
    return new Snapshot(total, attempts, delivered, retrying.size(), givenUp);
  }

  /** The next thing worth a line of its own (a subscription disabled), or {@code null}. */
  String pollNotice() {
    return notices.poll();
  }
}
