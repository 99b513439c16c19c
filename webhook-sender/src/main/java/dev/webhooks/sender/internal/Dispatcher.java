package dev.webhooks.sender.internal;

import static java.util.Objects.requireNonNull;

import dev.webhooks.core.secret.WebhookKey;
import dev.webhooks.core.signature.SignatureScheme;
import dev.webhooks.core.subscription.DisabledReason;
import dev.webhooks.core.subscription.Subscription;
import dev.webhooks.sender.DeliveryListener;
import dev.webhooks.sender.RetryPolicy;
import dev.webhooks.sender.store.AttemptOutcome;
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
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
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
 * An endpoint whose last attempt failed slowly (after half the timeout or more: it hangs or
 * trickles) gets one lane until an attempt ends otherwise, and the lane that saw the slow failure
 * gives its other claims back instead of spending a timeout on each: between such a failure and the
 * circuit opening, a hanging endpoint holds one worker instead of its cap.
 *
 * <p>Outcomes go to the store through an {@link OutcomeRecorder}: those reached while the store
 * records earlier ones are recorded together, so a database pays one commit for many; a store
 * whose calls cost no fixed price ({@link WebhookStore#batchesPayOff()} false) is called by each
 * worker at once.
 */
public final class Dispatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  /** Deliveries one lane runs back to back; the lease must outlast this many timeouts. */
  public static final int LANE_DEPTH = 4;
  /** How long a claim of an endpoint at its concurrency cap waits before it is claimable again. */
  static final Duration CAP_DEFERRAL = Duration.ofMillis(200);
  private static final int KEY_CACHE_LIMIT = 10_000;
  /** At most this long between claims while fewer than a quarter of the workers are free. */
  static final Duration CLAIM_COALESCE = Duration.ofMillis(5);

  /** Tuning; validated by the sender's builder. */
  public record Settings(int workers, int batchSize, Duration lease, Duration pollInterval,
      int maxConcurrencyPerSubscription, String userAgent) {}

  private final WebhookStore store;
  private final OutcomeRecorder recorder;
  private final SignatureScheme scheme;
  private final HttpDeliverer http;
  private final RetryPolicy defaultRetryPolicy;
  private final Function<Subscription, RetryPolicy> retryPolicyChooser;
  private final EndpointHealth health;
  private final Duration disableAfter;
  private final Clock clock;
  private final DeliveryListener listener;
  private final Settings settings;
  private final ThreadPoolExecutor pool;
  /**
   * Threads beyond the workers, for lanes started while others are stuck in a slow attempt: see
   * {@link #free()}. Created when needed, ended after a minute unused.
   */
  private final ThreadPoolExecutor sparePool;
  private final int spare;
  /** How long an attempt runs before its lane counts as stuck: a quarter of the timeout. */
  private final long stuckAfterNanos;
  /** Lanes running, on either pool. */
  private final Set<Lane> activeLanes = ConcurrentHashMap.newKeySet();
  private final AtomicInteger onWorkers = new AtomicInteger();
  /** Free lanes worth a claim of their own while others are in flight: a quarter of a full batch. */
  private final int refill;
  private volatile long lastClaimNanos;
  /** Held while claiming: by the loop, or by a worker claiming for itself ({@link #claimInline}). */
  private final ReentrantLock claimLock = new ReentrantLock();
  private final Map<UUID, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  /** Parsed signing keys per subscription, with the secret texts they were parsed from. */
  private final Map<UUID, ParsedKeys> keys = new ConcurrentHashMap<>();

  private record ParsedKeys(List<String> texts, List<WebhookKey> keys) {}
  /**
   * Claims this node holds and has not yet handled, with the {@link System#nanoTime()} of their
   * claim: while a lease has not run out in elapsed time, the node does not claim with a clock past
   * it (see {@link #claimTime}).
   */
  private final Map<ClaimedDelivery, Long> held = new ConcurrentHashMap<>();
  /** Endpoints whose last attempt failed slowly: one lane at a time until an attempt ends otherwise. */
  private final Set<UUID> slow = ConcurrentHashMap.newKeySet();
  /** Subscriptions this node disabled: lanes stop sending to them at once. */
  private final Set<UUID> disabledHere = ConcurrentHashMap.newKeySet();
  private final Object signal = new Object();
  private boolean woken; // guarded by signal: work may be due
  private boolean freed; // guarded by signal: a lane finished while the loop may claim for its worker
  /**
   * Guarded by signal: the loop holds its next claim back ({@link #claimDelayNanos}). Meanwhile a
   * publish does not wake it (it could claim for too few workers anyway), and a finished lane
   * wakes it only once a quarter of the workers is free: each needless wake-up is a context
   * switch, and at thousands of publishes a second they cost more than the claims.
   */
  private boolean coalescing;
  private volatile boolean running;
  /** Set by close(): claims not yet attempted are given back instead. */
  private volatile boolean closing;
  private Thread loop;

  /**
   * @param defaultRetryPolicy the sender's retry policy
   * @param retryPolicyChooser a subscription's own policy, or {@code null} for the default; may be {@code null}
   * @param health admission per endpoint: circuit breaker and rate limit
   * @param disableAfter how long a subscription may fail without a success before it is disabled
   */
  public Dispatcher(WebhookStore store, SignatureScheme scheme, HttpDeliverer http,
      RetryPolicy defaultRetryPolicy, Function<Subscription, RetryPolicy> retryPolicyChooser,
      EndpointHealth health, Duration disableAfter,
      Clock clock, DeliveryListener listener, Settings settings) {
    this.store = requireNonNull(store, "store == null");
    this.recorder = new OutcomeRecorder(store);
    this.scheme = requireNonNull(scheme, "scheme == null");
    this.http = requireNonNull(http, "http == null");
    this.defaultRetryPolicy = requireNonNull(defaultRetryPolicy, "defaultRetryPolicy == null");
    this.retryPolicyChooser = retryPolicyChooser;
    this.health = requireNonNull(health, "health == null");
    this.disableAfter = requireNonNull(disableAfter, "disableAfter == null");
    this.clock = requireNonNull(clock, "clock == null");
    this.listener = requireNonNull(listener, "listener == null");
    this.settings = requireNonNull(settings, "settings == null");
    AtomicInteger n = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(settings.workers(), settings.workers(), 0, TimeUnit.MILLISECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "webhooks-worker-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    this.spare = Math.max(1, settings.workers() / 2); // at least one, also for a single worker
    AtomicInteger m = new AtomicInteger();
    this.sparePool = new ThreadPoolExecutor(spare, spare, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "webhooks-spare-worker-" + m.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    sparePool.allowCoreThreadTimeOut(true);
    this.stuckAfterNanos = Math.max(1, http.timeout().toNanos() / 4);
    this.refill = Math.max(1, Math.min(settings.workers(), settings.batchSize()) / 4);
  }

  /** Starts polling the store in the background. */
  public synchronized void start() {
    if (closing) {
      throw new IllegalStateException("closed");
    }
    if (running) {
      return;
    }
    running = true;
    loop = new Thread(this::loop, "webhooks-dispatcher");
    loop.setDaemon(true);
    loop.start();
  }

  /**
   * Tells the background loop that work may be due now (a publish, a retry). While the loop holds
   * its claim back for more workers to come free, it claims when that wait ends instead.
   */
  public void wakeUp() {
    synchronized (signal) {
      woken = true;
      if (!coalescing) {
        signal.notifyAll();
      }
    }
  }

  /** A lane finished and gave its worker back: wakes the loop unless it is better left waiting. */
  private void laneFinished() {
    synchronized (signal) {
      // free() only while coalescing: otherwise the loop is woken anyway.
      if (!coalescing || worthAClaim(free())) {
        freed = true;
        signal.notifyAll();
      }
    }
  }

  private void loop() {
    while (running) {
      try {
        long wait = claimDelayNanos();
        if (wait > 0) {
          coalesce(wait);
          continue;
        }
        int claimed;
        claimLock.lock();
        try {
          lastClaimNanos = System.nanoTime();
          claimed = claimAndRun(null, null);
        } finally {
          claimLock.unlock();
        }
        if (claimed == 0) {
          awaitSignal(settings.pollInterval());
        }
      } catch (RuntimeException | LinkageError | AssertionError e) {
        log.warn("claiming due deliveries failed; trying again in {}", settings.pollInterval(), e);
        awaitSignal(settings.pollInterval());
      }
    }
  }

  /**
   * How long to hold the next claim back: with deliveries in flight and fewer than a quarter of
   * the workers free, until {@link #CLAIM_COALESCE} after the last claim. Claiming at every
   * finished lane and every publish would make a transaction (a commit, a disk flush) for one or
   * two deliveries. An idle sender claims at once.
   */
  private long claimDelayNanos() {
    int free = free();
    if (free == 0 || worthAClaim(free)) {
      return 0;
    }
    return Math.max(0, lastClaimNanos + CLAIM_COALESCE.toNanos() - System.nanoTime());
  }

  /**
   * Whether {@code free} workers are worth a claim of their own while others are in flight: a
   * quarter of a full batch, or all of them.
   */
  private boolean worthAClaim(int free) {
    return free >= refill || free == settings.workers();
  }

  /** Waits for work or a free worker, at most {@code max}. */
  private void awaitSignal(Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    synchronized (signal) {
      while (!woken && !freed && running) {
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
      freed = false;
    }
  }

  /**
   * Holds the next claim back for {@code nanos}, or until a quarter of the workers is free. A
   * publish meanwhile leaves {@link #woken} set, which the next idle wait sees.
   */
  private void coalesce(long nanos) {
    long deadline = System.nanoTime() + nanos;
    synchronized (signal) {
      coalescing = true;
      try {
        while (!freed && running) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            break;
          }
          TimeUnit.NANOSECONDS.timedWait(signal, left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        coalescing = false;
        freed = false;
      }
    }
  }

  /**
   * Claims and handles every delivery due now, batch after batch, waiting for each, until none is
   * due. For tests (with a controlled clock) and for applications that drive dispatch themselves
   * instead of starting the background loop.
   *
   * @return the number of deliveries handled: attempted, or deferred by their endpoint's health
   */
  public int dispatchDue() {
    if (closing) {
      throw new IllegalStateException("closed");
    }
    int total = 0;
    while (true) {
      CountDownLatch done = new CountDownLatch(1);
      int attempted;
      claimLock.lock(); // never beside the loop's or a worker's claim: both count free workers
      try {
        attempted = claimAndRun(done, null);
      } finally {
        claimLock.unlock();
      }
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
   * Claims as many deliveries as lanes may start (one per free worker) and runs them in lanes. The claims of an endpoint
   * whose circuit is open (or whose probe is out) all go back until it may be probed: put back due
   * at once, they would be claimed again by the next batch, and again, a transaction each time.
   *
   * @param done counted down once every lane of this batch finished, or {@code null}
   * @return the number of claims run, and of those put back until their endpoint's pause ends
   *     (not those put back for the next batch)
   */
  private int claimAndRun(CountDownLatch done, Lane[] inline) {
    int free = Math.min(free(), settings.batchSize());
    if (free == 0) {
      if (done != null) {
        done.countDown();
      }
      return 0;
    }
    Instant now = claimTime(clock.instant());
    // Endpoints at their cap are skipped in the query, so their backlog never fills the batch.
    Set<UUID> saturated = new HashSet<>();
    inFlight.forEach((id, n) -> {
      if (n.get() >= cap(id)) {
        saturated.add(id);
      }
    });
    List<ClaimedDelivery> claims = store.claimDue(now, free, settings.lease(), saturated);
    long claimedAt = System.nanoTime();
    for (ClaimedDelivery c : claims) {
      held.put(c, claimedAt);
    }
    Map<UUID, List<ClaimedDelivery>> bySubscription = new LinkedHashMap<>();
    for (ClaimedDelivery c : claims) {
      bySubscription.computeIfAbsent(c.delivery().subscriptionId(), k -> new ArrayList<>()).add(c);
    }
    List<List<ClaimedDelivery>> lanes = new ArrayList<>();
    Map<Instant, List<ClaimedDelivery>> putBack = new LinkedHashMap<>();
    int deferred = 0;
    for (Map.Entry<UUID, List<ClaimedDelivery>> e : bySubscription.entrySet()) {
      AtomicInteger running = inFlight.get(e.getKey());
      int laneCount = Math.max(0, cap(e.getKey()) - (running == null ? 0 : running.get()));
      List<ClaimedDelivery> mine = e.getValue();
      Optional<Instant> paused = health.pausedUntil(e.getKey(), now);
      int runnable = paused.isPresent() ? 0 : Math.min(mine.size(), laneCount * LANE_DEPTH);
      if (paused.isPresent()) {
        deferred += mine.size();
      }
      if (runnable < mine.size()) {
        // Circuit open: back until it may be probed. Over the cap: another worker serves this
        // endpoint; try again shortly. Over the lanes' depth: due again at once, so the next batch
        // takes it.
        putBack.computeIfAbsent(paused.orElse(laneCount == 0 ? now.plus(CAP_DEFERRAL) : now), k -> new ArrayList<>())
            .addAll(mine.subList(runnable, mine.size()));
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
    // Together, a transaction per due time: an endpoint whose circuit just opened may have its
    // whole backlog in this batch, and one by one its release held up every other claim.
    for (Map.Entry<Instant, List<ClaimedDelivery>> e : putBack.entrySet()) {
      try {
        store.releaseAll(e.getValue(), e.getKey());
      } catch (RuntimeException ex) {
        log.warn("{} deferred deliveries could not be released; their leases will expire", e.getValue().size(), ex);
      } finally {
        e.getValue().forEach(held::remove);
      }
    }
    int total = lanes.stream().mapToInt(List::size).sum();
    AtomicInteger remaining = new AtomicInteger(lanes.size());
    if (lanes.isEmpty() && done != null) {
      done.countDown();
    }
    for (List<ClaimedDelivery> lane : lanes) {
      // Counted in the same step that finds or makes the counter, so that forget() (which drops a
      // counter at 0) cannot drop it in between; the lane keeps it for its end.
      AtomicInteger counter = inFlight.compute(lane.get(0).delivery().subscriptionId(), (id, c) -> {
        AtomicInteger k = c == null ? new AtomicInteger() : c;
        k.incrementAndGet();
        return k;
      });
      // On a worker while one is free; else (others stuck) on a spare thread. No more lanes than
      // free() allowed, so none waits for a thread beyond a finishing lane's last instructions.
      boolean onSpare = onWorkers.get() >= settings.workers();
      Lane task = new Lane(lane, remaining, done, onSpare, counter);
      if (!onSpare) {
        onWorkers.incrementAndGet();
      }
      activeLanes.add(task);
      if (inline != null && inline[0] == null && !onSpare) {
        inline[0] = task; // the claiming worker runs it next, on its own thread
        continue;
      }
      try {
        (onSpare ? sparePool : pool).execute(task);
      } catch (RejectedExecutionException e) {
        task.giveBack(); // closed in between: the claims go back, due at once
      }
    }
    return total + deferred;
  }

  /**
   * Lanes that may start now: one per worker, plus one per lane stuck in an attempt running for a
   * quarter of the timeout or more (a hanging or trickling endpoint), up to {@code workers / 2}
   * spare threads. Each lane starts at once on a thread of its own, so a lease of LANE_DEPTH
   * timeouts covers all its claims. A lane counts once however many claims it holds: when claims
   * counted, two hanging endpoints (4 lanes of 4 claims each) held all 32 permits while holding
   * only 8 workers. And without spare threads, those 8 workers were lost to every other endpoint
   * until the circuits opened (a seventh of the throughput in the isolation benchmark).
   */
  private int free() {
    long now = System.nanoTime();
    int stuck = 0;
    for (Lane lane : activeLanes) {
      long started = lane.attemptStarted;
      if (started != 0 && now - started >= stuckAfterNanos && ++stuck == spare) {
        break;
      }
    }
    return Math.max(0, settings.workers() + stuck - activeLanes.size());
  }

  /**
   * For a worker whose lane just finished: claims as the loop would now (the loop started, a
   * quarter of the workers free, no claim in progress), starts the lanes on other workers but one,
   * and returns that one for the calling worker to run; else null.
   */
  private Lane claimInline() {
    if (!running || closing) {
      return null; // dispatchDue() mode, or shutting down: the loop or the caller claims
    }
    // Not while lanes wait in the pool's queue: this thread is the one they wait for.
    if (!worthAClaim(free()) || !pool.getQueue().isEmpty() || !claimLock.tryLock()) {
      return null;
    }
    Lane[] inline = new Lane[1];
    try {
      lastClaimNanos = System.nanoTime();
      claimAndRun(null, inline);
      return inline[0];
    } catch (RuntimeException | LinkageError | AssertionError e) {
      log.warn("claiming due deliveries failed on a worker; the loop tries again", e);
      if (inline[0] != null) {
        inline[0].giveBack(); // counted as running: give its claims and its worker back
      }
      return null;
    } finally {
      claimLock.unlock();
    }
  }

  /** Lanes a subscription may have running: its cap, or one while its endpoint fails slowly. */
  private int cap(UUID subscription) {
    return slow.contains(subscription) ? 1 : settings.maxConcurrencyPerSubscription();
  }

  /**
   * The time to claim at: the clock's, unless the clock has jumped past the lease of a claim this
   * node still holds although that lease has not run out in elapsed time; then just before that
   * lease ends. Otherwise the store would hand the node a delivery it is attempting right now, and
   * it would send it a second time before the first attempt's outcome is recorded (which the second
   * claim would make fail). A claim held longer than its lease in elapsed time as well (an attempt
   * stuck past every timeout) does not hold the node back: that delivery is taken over, as another
   * node would. Without a clock jump the lease always outlasts the attempts (the builder sees to
   * it) and this is the clock's time.
   */
  private Instant claimTime(Instant now) {
    // The earliest lease still running in elapsed time, found without an Instant per claim held:
    // this runs at every claim, over every claim in flight.
    Instant earliest = null;
    long nanos = System.nanoTime();
    long lease = settings.lease().toNanos();
    for (Map.Entry<ClaimedDelivery, Long> e : held.entrySet()) {
      Instant expires = e.getKey().leaseExpiresAt();
      if ((earliest == null || expires.isBefore(earliest)) && nanos - e.getValue() < lease) {
        earliest = expires;
      }
    }
    Instant at = earliest == null ? now : earliest.minusMillis(1);
    if (!at.isBefore(now)) {
      return now;
    }
    log.debug("the clock is past the lease of a claim in flight; claiming as of {} instead of {}", at, now);
    return at;
  }

  /**
   * Runs a lane's claims one after the other, until one fails slowly. Whatever happens, its permit
   * is given back, its subscription's in-flight count is decremented, and claims it did not attempt
   * go back to the store, due at once.
   */
  private final class Lane implements Runnable {
    private final List<ClaimedDelivery> claims;
    private final AtomicInteger remaining;
    private final CountDownLatch done;
    private final boolean onSpare;
    private final AtomicInteger inFlightOfSubscription;
    private int next;
    /** {@link System#nanoTime()} when the attempt in progress began; 0 between attempts. */
    volatile long attemptStarted;

    Lane(List<ClaimedDelivery> claims, AtomicInteger remaining, CountDownLatch done, boolean onSpare,
        AtomicInteger inFlightOfSubscription) {
      this.claims = claims;
      this.remaining = remaining;
      this.done = done;
      this.onSpare = onSpare;
      this.inFlightOfSubscription = inFlightOfSubscription;
    }

    @Override
    public void run() {
      Lane lane = this;
      while (lane != null) {
        Lane following = null;
        try {
          lane.runClaims();
          // On a worker, the next lane may be one it claims itself: no hand-over to the loop's
          // thread and back to a worker, two context switches per lane otherwise.
          following = lane.onSpare ? null : claimInline();
        } finally {
          if (following == null || worthAClaim(free())) {
            laneFinished(); // the loop may claim for the workers still free
          }
        }
        lane = following;
      }
    }

    private void runClaims() {
      try {
        boolean goOn = true;
        for (; next < claims.size() && goOn; next++) {
          ClaimedDelivery c = claims.get(next);
          try {
            if (closing || disabledHere.contains(c.delivery().subscriptionId())) {
              store.release(c, clock.instant()); // parked by the store if its endpoint is disabled
            } else {
              attemptStarted = System.nanoTime() | 1; // never 0
              goOn = attempt(c);
            }
          } catch (RuntimeException e) {
            // The lease expires and the delivery is claimed again: at least once, never lost.
            log.warn("delivery {}: unexpected failure; it is retried when its lease expires", c.delivery().id(), e);
          } finally {
            attemptStarted = 0;
            held.remove(c);
          }
        }
        giveBackRest(); // after a slow failure: each would cost a timeout here
      } finally {
        finish();
      }
    }

    /** For a lane that never ran (the pool was closed): hands its claims back. */
    void giveBack() {
      try {
        giveBackRest();
      } finally {
        finish();
        laneFinished();
      }
    }

    private void giveBackRest() {
      if (next >= claims.size()) {
        return;
      }
      List<ClaimedDelivery> rest = claims.subList(next, claims.size());
      next = claims.size();
      try {
        store.releaseAll(rest, clock.instant());
      } catch (RuntimeException e) {
        log.warn("{} claims could not be released; their leases will expire", rest.size(), e);
      } finally {
        rest.forEach(held::remove);
      }
    }

    private void finish() {
      // An Error thrown mid-lane leaves claims unhandled: their leases expire, as for a dead node.
      next = claims.size();
      attemptStarted = 0;
      if (!onSpare) {
        onWorkers.decrementAndGet();
      }
      activeLanes.remove(this);
      claims.forEach(held::remove);
      inFlightOfSubscription.decrementAndGet();
      if (remaining.decrementAndGet() == 0 && done != null) {
        done.countDown();
      }
    }
  }

  /**
   * One attempt: unless the endpoint's circuit is open or its rate used up (then the claim goes
   * back until then), sign with a fresh timestamp and every active secret, send, record, tell.
   * Health is told the outcome of every admitted attempt, even when something later fails, so
   * that a probe is never left hanging.
   *
   * @return false if the attempt failed slowly, after half the timeout or more: the lane should
   *     stop and give its other claims back
   */
  boolean attempt(ClaimedDelivery claim) {
    DeliveryRecord d = claim.delivery();
    Subscription sub = claim.subscription().subscription();
    Instant started = clock.instant();
    Optional<Instant> wait = health.admit(sub.id(), started);
    if (wait.isPresent()) {
      store.release(claim, wait.get());
      log.debug("delivery {} deferred until {}: endpoint paused or rate-limited", d.id(), wait.get());
      return true;
    }
    AttemptResult r;
    try {
      Map<String, String> headers = new LinkedHashMap<>(
          scheme.sign(d.eventId(), started, claim.payload(), keysOf(sub.id(), claim.subscription().activeSecrets(started))));
      headers.put("content-type", "application/json");
      headers.put("user-agent", settings.userAgent());
      sub.headers().forEach(headers::putIfAbsent);
      r = http.deliver(new DeliveryRequest(sub.url(), headers, claim.payload()));
    } catch (RuntimeException e) {
      health.onAbandoned(sub.id()); // not the endpoint's doing; frees the probe, if this was one
      store.release(claim, clock.instant().plus(CAP_DEFERRAL));
      throw e;
    }
    if (Thread.currentThread().isInterrupted() || closing && r.outcome() != AttemptResult.Outcome.SUCCESS) {
      // Cut short by shutdown: not the receiver's failure. The claim goes back, no attempt counted.
      health.onAbandoned(sub.id());
      store.release(claim, clock.instant());
      return true;
    }
    boolean slowFailure = r.outcome() == AttemptResult.Outcome.FAILURE
        && r.duration().compareTo(http.timeout().dividedBy(2)) >= 0;
    if (slowFailure) {
      slow.add(sub.id());
    } else {
      slow.remove(sub.id());
    }

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
        Optional<Instant> retry = policyFor(sub).nextAttempt(number, d.createdAt(), now, r.retryAfter());
        status = retry.isPresent() ? DeliveryStatus.PENDING : DeliveryStatus.FAILED;
        next = retry.orElse(null);
    }
    if (r.outcome() == AttemptResult.Outcome.SUCCESS) {
      health.onSuccess(sub.id());
    } else {
      health.onFailure(sub.id(), now);
    }
    if (!recorder.record(new AttemptOutcome(claim, attempt, status, next))) {
      log.debug("delivery {}: lease lost before the outcome was recorded; another claimant has it", d.id());
      return !slowFailure;
    }
    if (log.isDebugEnabled()) { // not an argument array per attempt when nobody reads it
      log.debug("delivery {} attempt {} to {}: {} {} -> {}", d.id(), number, sub.url().getHost(), r.outcome(),
          r.statusCode(), status);
    }
    if (listener != DeliveryListener.NONE) {
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
    }
    if (r.outcome() == AttemptResult.Outcome.GONE) {
      disable(sub, DisabledReason.ENDPOINT_GONE, now);
    } else if (r.outcome() == AttemptResult.Outcome.FAILURE) {
      Instant failingSince = claim.subscription().failingSince().orElse(started);
      if (!now.isBefore(failingSince.plus(disableAfter))) {
        disable(sub, DisabledReason.FAILING, now);
      }
    }
    return !slowFailure;
  }

  /** The subscription's retry policy; a failing chooser falls back to the default, never loses the attempt. */
  private RetryPolicy policyFor(Subscription sub) {
    if (retryPolicyChooser != null) {
      try {
        RetryPolicy p = retryPolicyChooser.apply(sub);
        if (p != null) {
          return p;
        }
      } catch (RuntimeException e) {
        log.warn("subscription {}: the retry policy chooser threw; using the default policy", sub.id(), e);
      }
    }
    return defaultRetryPolicy;
  }

  /** Forgets what this node knows of an endpoint's health (deleted, or enabled again). */
  public void forget(UUID subscription) {
    health.forget(subscription);
    disabledHere.remove(subscription);
    slow.remove(subscription);
    keys.remove(subscription); // no parsed secret outlives its subscription here
    http.forgetCheckedUrls(); // nor its URL (deletes and re-enables are rare: the others are checked again)
    inFlight.computeIfPresent(subscription, (id, n) -> n.get() == 0 ? null : n);
  }

  private void disable(Subscription sub, DisabledReason reason, Instant now) {
    disabledHere.add(sub.id());
    if (store.disableSubscription(sub.tenantId(), sub.id(), reason, now)) {
      log.debug("subscription {} of tenant {} disabled: {}", sub.id(), sub.tenantId(), reason);
      health.forget(sub.id());
      Subscription disabled = sub.toBuilder().enabled(false).disabledReason(reason).updatedAt(now).build();
      tell(() -> listener.onSubscriptionDisabled(disabled, reason));
    }
  }

  /**
   * The subscription's keys, parsed once per set of secrets: a rotation or an expired grace period
   * changes the texts and the keys are parsed again. Bounded: past the limit the cache starts over.
   */
  private List<WebhookKey> keysOf(UUID subscription, List<SigningSecret> secrets) {
    ParsedKeys cached = keys.get(subscription);
    if (cached != null && sameTexts(cached.texts(), secrets)) { // every attempt: no list built to compare
      return cached.keys();
    }
    List<String> texts = secrets.stream().map(SigningSecret::secret).toList();
    if (keys.size() >= KEY_CACHE_LIMIT) {
      keys.clear();
    }
    List<WebhookKey> parsed = texts.stream().map(scheme::parseKey).toList();
    keys.put(subscription, new ParsedKeys(texts, parsed));
    return parsed;
  }

  private static boolean sameTexts(List<String> texts, List<SigningSecret> secrets) {
    if (texts.size() != secrets.size()) {
      return false;
    }
    for (int i = 0; i < texts.size(); i++) {
      if (!texts.get(i).equals(secrets.get(i).secret())) {
        return false;
      }
    }
    return true;
  }

  private void tell(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException | LinkageError | AssertionError e) {
      log.warn("delivery listener threw; ignored", e);
    }
  }

  /**
   * Stops claiming, lets attempts in flight finish (within {@code grace} in all), hands claims not
   * yet attempted back to the store, due at once, and returns. Afterwards {@link #start()} and
   * {@link #dispatchDue()} throw.
   */
  public void close(Duration grace) {
    long deadline = System.nanoTime() + grace.toNanos();
    closing = true;
    running = false;
    synchronized (signal) {
      signal.notifyAll(); // out of any wait, coalescing or not
    }
    Thread l = loop;
    if (l != null) {
      try {
        l.join(Math.max(1, grace.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    pool.shutdown();
    sparePool.shutdown();
    try {
      boolean ended = pool.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
          && sparePool.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (!ended) {
        for (ExecutorService p : List.of(pool, sparePool)) {
          for (Runnable never : p.shutdownNow()) {
            if (never instanceof Lane) {
              ((Lane) never).giveBack();
            }
          }
        }
        pool.awaitTermination(1, TimeUnit.SECONDS); // interrupted attempts release their claims
        sparePool.awaitTermination(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      pool.shutdownNow();
      sparePool.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }
}
