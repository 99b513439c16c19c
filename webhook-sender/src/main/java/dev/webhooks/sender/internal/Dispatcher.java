package dev.webhooks.sender.internal;

import static java.util.Objects.requireNonNull;

import dev.webhooks.core.secret.WebhookKey;
import dev.webhooks.core.signature.SignatureScheme;
import dev.webhooks.core.subscription.DisabledReason;
import dev.webhooks.core.subscription.Subscription;
import dev.webhooks.sender.DeliveryListener;
import dev.webhooks.sender.RetryPolicy;
import dev.webhooks.sender.store.AttemptRecord;
import dev.webhooks.sender.store.ClaimedDelivery;
import dev.webhooks.sender.store.DeliveryRecord;
import dev.webhooks.sender.store.DeliveryStatus;
import dev.webhooks.sender.store.SigningSecret;
import dev.webhooks.sender.store.WebhookStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims due deliveries from the store and attempts them on a pool of worker threads.
 *
 * <p>Isolation: a claimed batch is grouped by subscription into at most
 * {@code maxConcurrencyPerSubscription} lanes of at most {@link #LANE_DEPTH} deliveries, each lane
 * run sequentially by one worker. A slow or hanging endpoint therefore ties up at most its cap of
 * workers, while the others keep serving every other endpoint. Claims beyond a lane's depth go back
 * to the store, due at once; claims of a subscription already at its cap go back a little later.
 */
public final class Dispatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  /** Deliveries one lane runs back to back; the lease must outlast this many timeouts. */
  public static final int LANE_DEPTH = 4;
  /** How long a claim of an endpoint at its concurrency cap waits before it is claimable again. */
  static final Duration CAP_DEFERRAL = Duration.ofMillis(200);
  private static final int KEY_CACHE_LIMIT = 10_000;

  /** Tuning; validated by the sender's builder. */
  public record Settings(int workers, int batchSize, Duration lease, Duration pollInterval,
      int maxConcurrencyPerSubscription, String userAgent) {}

  private final WebhookStore store;
  private final SignatureScheme scheme;
  private final HttpDeliverer http;
  private final Function<Subscription, RetryPolicy> retryPolicies;
  private final EndpointHealth health;
  private final Duration disableAfter;
  private final Clock clock;
  private final DeliveryListener listener;
  private final Settings settings;
  private final ExecutorService pool;
  private final Semaphore slots;
  private final Map<UUID, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final Map<String, WebhookKey> keys = new ConcurrentHashMap<>();
  private final Object signal = new Object();
  private boolean woken; // guarded by signal
  private volatile boolean running;
  /** Set by close(): claims not yet attempted are given back instead. */
  private volatile boolean closing;
  private Thread loop;

  /**
   * @param retryPolicies the retry policy of each subscription (the sender's default, or its override)
   * @param health admission per endpoint: circuit breaker and rate limit
   * @param disableAfter how long a subscription may fail without a success before it is disabled
   */
  public Dispatcher(WebhookStore store, SignatureScheme scheme, HttpDeliverer http,
      Function<Subscription, RetryPolicy> retryPolicies, EndpointHealth health, Duration disableAfter,
      Clock clock, DeliveryListener listener, Settings settings) {
    this.store = requireNonNull(store, "store == null");
    this.scheme = requireNonNull(scheme, "scheme == null");
    this.http = requireNonNull(http, "http == null");
    this.retryPolicies = requireNonNull(retryPolicies, "retryPolicies == null");
    this.health = requireNonNull(health, "health == null");
    this.disableAfter = requireNonNull(disableAfter, "disableAfter == null");
    this.clock = requireNonNull(clock, "clock == null");
    this.listener = requireNonNull(listener, "listener == null");
    this.settings = requireNonNull(settings, "settings == null");
    AtomicInteger n = new AtomicInteger();
    this.pool = Executors.newFixedThreadPool(settings.workers(), r -> {
      Thread t = new Thread(r, "webhooks-worker-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.slots = new Semaphore(settings.workers());
  }

  /** Starts polling the store in the background. */
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    loop = new Thread(this::loop, "webhooks-dispatcher");
    loop.setDaemon(true);
    loop.start();
  }

  /** Tells the background loop that work may be due now (a publish, a retry, a free worker). */
  public void wakeUp() {
    synchronized (signal) {
      woken = true;
      signal.notifyAll();
    }
  }

  private void loop() {
    while (running) {
      try {
        if (claimAndRun(null) == 0) {
          awaitSignal(settings.pollInterval());
        }
      } catch (RuntimeException e) {
        log.warn("claiming due deliveries failed; trying again in {}", settings.pollInterval(), e);
        awaitSignal(settings.pollInterval());
      }
    }
  }

  private void awaitSignal(Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    synchronized (signal) {
      while (!woken && running) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(signal, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      woken = false;
    }
  }

  /**
   * Claims and attempts every delivery due now, batch after batch, waiting for each, until none is
   * due. For tests (with a controlled clock) and for applications that drive dispatch themselves.
   *
   * @return the number of attempts made
   */
  public int dispatchDue() {
    int total = 0;
    while (true) {
      CountDownLatch done = new CountDownLatch(1);
      int attempted = claimAndRun(done);
      if (attempted == 0) {
        return total;
      }
      try {
        done.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return total;
      }
      total += attempted;
    }
  }

  /**
   * Claims up to the free worker slots and runs the claims in lanes.
   *
   * @param done counted down once every lane of this batch finished, or {@code null}
   * @return the number of claims run (not those given back)
   */
  private int claimAndRun(CountDownLatch done) {
    int free = Math.min(slots.availablePermits(), settings.batchSize());
    if (free == 0) {
      if (done != null) {
        done.countDown();
      }
      return 0;
    }
    Instant now = clock.instant();
    List<ClaimedDelivery> claims = store.claimDue(now, free, settings.lease());
    Map<UUID, List<ClaimedDelivery>> bySubscription = new LinkedHashMap<>();
    for (ClaimedDelivery c : claims) {
      bySubscription.computeIfAbsent(c.delivery().subscriptionId(), k -> new ArrayList<>()).add(c);
    }
    List<List<ClaimedDelivery>> lanes = new ArrayList<>();
    for (Map.Entry<UUID, List<ClaimedDelivery>> e : bySubscription.entrySet()) {
      AtomicInteger running = inFlight.computeIfAbsent(e.getKey(), k -> new AtomicInteger());
      int laneCount = Math.max(0, settings.maxConcurrencyPerSubscription() - running.get());
      List<ClaimedDelivery> mine = e.getValue();
      int runnable = Math.min(mine.size(), laneCount * LANE_DEPTH);
      for (int i = runnable; i < mine.size(); i++) {
        // Over the cap: another worker serves this endpoint; try again shortly. Over the lanes'
        // depth: due again at once, so the next batch takes it.
        store.release(mine.get(i), laneCount == 0 ? now.plus(CAP_DEFERRAL) : now);
      }
      int lanesNeeded = (runnable + LANE_DEPTH - 1) / LANE_DEPTH;
      for (int lane = 0; lane < lanesNeeded; lane++) {
        List<ClaimedDelivery> l = new ArrayList<>();
        for (int i = lane; i < runnable; i += lanesNeeded) {
          l.add(mine.get(i));
        }
        lanes.add(l);
      }
    }
    int total = lanes.stream().mapToInt(List::size).sum();
    AtomicInteger remaining = new AtomicInteger(lanes.size());
    if (lanes.isEmpty() && done != null) {
      done.countDown();
    }
    for (List<ClaimedDelivery> lane : lanes) {
      slots.acquireUninterruptibly(lane.size());
      UUID subscription = lane.get(0).delivery().subscriptionId();
      inFlight.get(subscription).incrementAndGet();
      pool.execute(() -> {
        try {
          for (ClaimedDelivery c : lane) {
            try {
              if (closing) {
                store.release(c, clock.instant());
                continue;
              }
              attempt(c);
            } catch (RuntimeException e) {
              // The lease expires and the delivery is claimed again: at least once, never lost.
              log.warn("delivery {} attempt failed unexpectedly; it will be retried when its lease expires",
                  c.delivery().id(), e);
            } finally {
              slots.release();
            }
          }
        } finally {
          inFlight.get(subscription).decrementAndGet();
          if (remaining.decrementAndGet() == 0 && done != null) {
            done.countDown();
          }
          wakeUp();
        }
      });
    }
    return total;
  }

  /**
   * One attempt: unless the endpoint's circuit is open or its rate used up (then the claim goes
   * back until then), sign with a fresh timestamp and every active secret, send, record, tell.
   */
  void attempt(ClaimedDelivery claim) {
    DeliveryRecord d = claim.delivery();
    Subscription sub = claim.subscription().subscription();
    Instant started = clock.instant();
    Optional<Instant> wait = health.admit(sub.id(), started);
    if (wait.isPresent()) {
      store.release(claim, wait.get());
      log.debug("delivery {} deferred until {}: endpoint paused or rate-limited", d.id(), wait.get());
      return;
    }
    Map<String, String> headers = new LinkedHashMap<>(
        scheme.sign(d.eventId(), started, claim.payload(), keysOf(claim.subscription().activeSecrets(started))));
    headers.put("content-type", "application/json");
    headers.put("user-agent", settings.userAgent());
    sub.headers().forEach(headers::putIfAbsent);
    AttemptResult r = http.deliver(new DeliveryRequest(sub.url(), headers, claim.payload()));

    int number = d.attemptCount() + 1;
    AttemptRecord attempt = new AttemptRecord(d.id(), number, started, r.duration(), r.statusCode(),
        r.responseExcerpt(), r.error());
    Instant now = clock.instant();
    DeliveryStatus status;
    Instant next = null;
    switch (r.outcome()) {
      case SUCCESS:
        status = DeliveryStatus.DELIVERED;
        break;
      case GONE:
        status = DeliveryStatus.FAILED;
        break;
      default:
        Optional<Instant> retry = retryPolicies.apply(sub).nextAttempt(number, d.createdAt(), now, r.retryAfter());
        status = retry.isPresent() ? DeliveryStatus.PENDING : DeliveryStatus.FAILED;
        next = retry.orElse(null);
    }
    if (r.outcome() == AttemptResult.Outcome.SUCCESS) {
      health.onSuccess(sub.id());
    } else {
      health.onFailure(sub.id(), now);
    }
    if (!store.recordAttempt(claim, attempt, status, next)) {
      log.debug("delivery {}: lease lost before the outcome was recorded; another claimant has it", d.id());
      return;
    }
    log.debug("delivery {} attempt {} to {}: {} {} -> {}", d.id(), number, sub.url().getHost(), r.outcome(),
        r.statusCode(), status);
    DeliveryRecord after = new DeliveryRecord(d.id(), d.tenantId(), d.subscriptionId(), d.eventId(), d.eventType(),
        status, number, d.createdAt(), Optional.ofNullable(next),
        status == DeliveryStatus.DELIVERED ? Optional.of(started.plus(r.duration())) : d.deliveredAt(),
        r.statusCode() > 0 ? Optional.of(r.statusCode()) : d.lastHttpStatus(), r.error());
    tell(() -> listener.onAttempt(after, attempt));
    if (status == DeliveryStatus.DELIVERED) {
      tell(() -> listener.onDelivered(after));
    } else if (status == DeliveryStatus.FAILED) {
      tell(() -> listener.onGivenUp(after));
    }
    if (r.outcome() == AttemptResult.Outcome.GONE) {
      disable(sub, DisabledReason.ENDPOINT_GONE, now);
    } else if (r.outcome() == AttemptResult.Outcome.FAILURE) {
      Instant failingSince = claim.subscription().failingSince().orElse(started);
      if (!now.isBefore(failingSince.plus(disableAfter))) {
        disable(sub, DisabledReason.FAILING, now);
      }
    }
  }

  private void disable(Subscription sub, DisabledReason reason, Instant now) {
    if (store.disableSubscription(sub.tenantId(), sub.id(), reason, now)) {
      log.info("subscription {} of tenant {} disabled: {}", sub.id(), sub.tenantId(), reason);
      health.forget(sub.id());
      Subscription disabled = sub.toBuilder().enabled(false).disabledReason(reason).updatedAt(now).build();
      tell(() -> listener.onSubscriptionDisabled(disabled, reason));
    }
  }

  private List<WebhookKey> keysOf(List<SigningSecret> secrets) {
    if (keys.size() > KEY_CACHE_LIMIT) {
      keys.clear(); // parsed keys are a cache: rebuilding them is cheap
    }
    List<WebhookKey> out = new ArrayList<>(secrets.size());
    for (SigningSecret s : secrets) {
      out.add(keys.computeIfAbsent(s.secret(), scheme::parseKey));
    }
    return out;
  }

  private void tell(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      log.warn("delivery listener threw; ignored", e);
    }
  }

  /**
   * Stops claiming, lets attempts in flight finish (up to {@code grace}), and returns. Deliveries
   * not attempted stay in the store: their leases expire and they are claimed again.
   */
  public void close(Duration grace) {
    closing = true;
    running = false;
    wakeUp();
    Thread l = loop;
    if (l != null) {
      try {
        l.join(grace.toMillis() + 1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    pool.shutdown();
    try {
      if (!pool.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }
}
