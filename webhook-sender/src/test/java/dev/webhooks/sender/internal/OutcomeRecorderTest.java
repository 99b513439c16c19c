package dev.webhooks.sender.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.webhooks.core.event.EventCatalog;
import dev.webhooks.core.subscription.Subscription;
import dev.webhooks.sender.store.AttemptOutcome;
import dev.webhooks.sender.store.AttemptRecord;
import dev.webhooks.sender.store.ClaimedDelivery;
import dev.webhooks.sender.store.DeliveryRecord;
import dev.webhooks.sender.store.DeliveryStatus;
import dev.webhooks.sender.store.SigningSecret;
import dev.webhooks.sender.store.StoredSubscription;
import dev.webhooks.sender.store.WebhookStore;
import dev.webhooks.sender.store.WebhookStoreException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OutcomeRecorderTest {
  static final Instant T0 = Instant.parse("2026-05-02T12:00:00Z");
  static final EventCatalog CATALOG = EventCatalog.builder()
      .event("lookup.completed", "A lookup finished", JsonNodeFactory.instance.objectNode()).build();
  final ExecutorService workers = Executors.newCachedThreadPool();
  /** Every call the store received, with the ids of its outcomes in order. */
  final List<List<UUID>> calls = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void tearDown() {
    workers.shutdownNow();
  }

  /** A store that answers {@code recordAttempts} with {@code answer} and knows nothing else; batches pay off. */
  WebhookStore store(Function<List<AttemptOutcome>, boolean[]> answer) {
    return store(answer, true);
  }

  /** The same, answering {@code batchesPayOff} as given. */
  WebhookStore store(Function<List<AttemptOutcome>, boolean[]> answer, boolean batchesPayOff) {
    return (WebhookStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {WebhookStore.class},
        (proxy, method, args) -> {
          if (method.getName().equals("batchesPayOff")) {
            return batchesPayOff;
          }
          if (!method.getName().equals("recordAttempts")) {
            throw new UnsupportedOperationException(method.getName());
          }
          @SuppressWarnings("unchecked")
          List<AttemptOutcome> outcomes = (List<AttemptOutcome>) args[0];
          calls.add(outcomes.stream().map(o -> o.claim().delivery().id()).toList());
          return answer.apply(outcomes);
        });
  }

  static AttemptOutcome outcome() {
    UUID id = UUID.randomUUID();
    Subscription s = Subscription.builder().id(UUID.randomUUID()).tenantId("t1")
        .url(URI.create("https://a.example.com/hook")).filters(CATALOG.filters(List.of("*"))).createdAt(T0).updatedAt(T0).secretLastRotatedAt(T0).build();
    StoredSubscription sub = new StoredSubscription(s, List.of(SigningSecret.current("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")));
    DeliveryRecord d = new DeliveryRecord(id, "t1", s.id(), "msg_1", "lookup.completed", DeliveryStatus.PENDING, 0, T0,
        Optional.of(T0), Optional.empty(), Optional.empty(), Optional.empty());
    ClaimedDelivery claim = new ClaimedDelivery(d, sub, new byte[] {'{', '}'}, "token", T0.plusSeconds(60));
    return new AttemptOutcome(claim, new AttemptRecord(id, 1, T0, Duration.ofMillis(5), 200, "", Optional.empty()),
        DeliveryStatus.DELIVERED, null);
  }

  static boolean[] all(List<AttemptOutcome> outcomes, boolean kept) {
    boolean[] answer = new boolean[outcomes.size()];
    java.util.Arrays.fill(answer, kept);
    return answer;
  }

  @Test
  void alone_recordedAtOnceInACallOfItsOwn_onTheCallersThread() {
    Thread caller = Thread.currentThread();
    List<Thread> seen = new ArrayList<>();
    OutcomeRecorder recorder = new OutcomeRecorder(store(o -> {
      seen.add(Thread.currentThread());
      return all(o, true);
    }));
    AttemptOutcome o = outcome();
    assertTrue(recorder.record(o));
    assertEquals(List.of(List.of(o.claim().delivery().id())), calls);
    assertEquals(List.of(caller), seen);
  }

  @Test
  void whileOneCallRuns_theOutcomesHandedOverMeanwhile_goTogetherInTheNext() throws Exception {
    CountDownLatch firstCallIn = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    OutcomeRecorder recorder = new OutcomeRecorder(store(o -> {
      if (calls.size() == 1) {
        firstCallIn.countDown();
        await(releaseFirst);
      }
      // The lease of every second outcome of a call was lost.
      boolean[] answer = new boolean[o.size()];
      for (int i = 0; i < answer.length; i++) {
        answer[i] = i % 2 == 0;
      }
      return answer;
    }));
    AttemptOutcome first = outcome();
    Future<Boolean> a = workers.submit(() -> recorder.record(first));
    assertTrue(firstCallIn.await(10, TimeUnit.SECONDS));
    List<AttemptOutcome> later = List.of(outcome(), outcome(), outcome(), outcome());
    List<Future<Boolean>> waiting = new ArrayList<>();
    for (AttemptOutcome o : later) {
      waiting.add(workers.submit(() -> recorder.record(o)));
    }
    // All four are handed over, waiting for the first call, before it ends.
    while (recorder.queued() < later.size()) {
      Thread.onSpinWait();
    }
    releaseFirst.countDown();
    assertTrue(a.get(10, TimeUnit.SECONDS));
    List<Boolean> answers = new ArrayList<>();
    for (Future<Boolean> f : waiting) {
      answers.add(f.get(10, TimeUnit.SECONDS));
    }
    assertEquals(2, calls.size(), calls::toString);
    assertEquals(later.stream().map(o -> o.claim().delivery().id()).collect(Collectors.toSet()), Set.copyOf(calls.get(1)));
    // Each worker gets the answer for its own outcome: true for those at even places in the call.
    for (int i = 0; i < later.size(); i++) {
      int place = calls.get(1).indexOf(later.get(i).claim().delivery().id());
      assertEquals(place % 2 == 0, answers.get(i), "place " + place);
    }
  }

  @Test
  void aStoreWhoseBatchesDoNotPayOff_isCalledByEachWorkerAtOnce_evenWhileAnotherCallRuns() throws Exception {
    CountDownLatch firstCallIn = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    List<Thread> seen = Collections.synchronizedList(new ArrayList<>());
    OutcomeRecorder recorder = new OutcomeRecorder(store(o -> {
      seen.add(Thread.currentThread());
      if (calls.size() == 1) {
        firstCallIn.countDown();
        await(releaseFirst);
      }
      return all(o, true);
    }, false));
    AttemptOutcome first = outcome();
    Future<Boolean> a = workers.submit(() -> recorder.record(first));
    assertTrue(firstCallIn.await(10, TimeUnit.SECONDS));
    // While the first call is held, the others are recorded at once, each in a call of its own on
    // its own thread: none waits for the first.
    List<AttemptOutcome> later = List.of(outcome(), outcome(), outcome());
    List<Thread> callers = new ArrayList<>();
    for (AttemptOutcome o : later) {
      Future<Thread> caller = workers.submit(() -> {
        assertTrue(recorder.record(o));
        return Thread.currentThread();
      });
      callers.add(caller.get(10, TimeUnit.SECONDS));
    }
    assertFalse(a.isDone());
    releaseFirst.countDown();
    assertTrue(a.get(10, TimeUnit.SECONDS));
    assertEquals(4, calls.size(), calls::toString);
    calls.forEach(call -> assertEquals(1, call.size(), calls::toString));
    assertEquals(callers, seen.subList(1, 4), "each outcome recorded on its worker's own thread");
  }

  @Test
  void aFailedCall_triedAgainOneByOne_soOnlyTheBadOutcomeFails() throws Exception {
    AttemptOutcome bad = outcome();
    WebhookStoreException refused = new WebhookStoreException("webhooks store: record attempts failed (SQLState 22001)",
        null);
    CountDownLatch firstCallIn = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    OutcomeRecorder recorder = new OutcomeRecorder(store(o -> {
      if (calls.size() == 1) {
        firstCallIn.countDown();
        await(releaseFirst);
      }
      if (o.contains(bad)) {
        throw refused;
      }
      return all(o, true);
    }));
    Future<Boolean> first = workers.submit(() -> recorder.record(outcome()));
    assertTrue(firstCallIn.await(10, TimeUnit.SECONDS));
    AttemptOutcome good1 = outcome();
    AttemptOutcome good2 = outcome();
    Future<Boolean> g1 = workers.submit(() -> recorder.record(good1));
    Future<Boolean> b = workers.submit(() -> recorder.record(bad));
    Future<Boolean> g2 = workers.submit(() -> recorder.record(good2));
    while (recorder.queued() < 3) {
      Thread.onSpinWait();
    }
    releaseFirst.countDown();
    assertTrue(first.get(10, TimeUnit.SECONDS));
    assertTrue(g1.get(10, TimeUnit.SECONDS));
    assertTrue(g2.get(10, TimeUnit.SECONDS));
    java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
        () -> b.get(10, TimeUnit.SECONDS));
    assertSame(refused, e.getCause());
    // The first call, the batch of three that failed, then each of the three alone.
    assertEquals(List.of(1, 3, 1, 1, 1), calls.stream().map(List::size).toList());
  }

  @Test
  void aStoreAnsweringTheWrongNumber_failsTheOutcome_neverAnswersForAnother() {
    OutcomeRecorder recorder = new OutcomeRecorder(store(o -> new boolean[0]));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> recorder.record(outcome()));
    assertEquals("the store answered 0 for 1 outcomes", e.getMessage());
  }

  @Test
  void aStoreWhoseBatchesDoNotPayOff_answeringTheWrongNumber_failsTheOutcome() {
    OutcomeRecorder none = new OutcomeRecorder(store(o -> new boolean[0], false));
    assertEquals("the store answered 0 for 1 outcomes",
        assertThrows(IllegalStateException.class, () -> none.record(outcome())).getMessage());
    OutcomeRecorder two = new OutcomeRecorder(store(o -> new boolean[] {true, true}, false));
    assertEquals("the store answered 2 for 1 outcomes",
        assertThrows(IllegalStateException.class, () -> two.record(outcome())).getMessage());
    OutcomeRecorder missing = new OutcomeRecorder(store(o -> null, false));
    assertEquals("the store answered null for 1 outcomes",
        assertThrows(IllegalStateException.class, () -> missing.record(outcome())).getMessage());
  }

  @Test
  void anErrorInTheStore_reachesTheCaller_andTheOthersHearTheirOutcomeMayNotBeRecorded() throws Exception {
    CountDownLatch firstCallIn = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    OutcomeRecorder recorder = new OutcomeRecorder(store(o -> {
      if (calls.size() == 1) {
        firstCallIn.countDown();
        await(releaseFirst);
        return all(o, true);
      }
      throw new OutOfMemoryError("simulated");
    }));
    Future<Boolean> first = workers.submit(() -> recorder.record(outcome()));
    assertTrue(firstCallIn.await(10, TimeUnit.SECONDS));
    List<CompletableFuture<Throwable>> thrown = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      AttemptOutcome o = outcome();
      CompletableFuture<Throwable> f = new CompletableFuture<>();
      workers.execute(() -> {
        try {
          recorder.record(o);
          f.complete(null);
        } catch (Throwable t) {
          f.complete(t);
        }
      });
      thrown.add(f);
    }
    while (recorder.queued() < 3) {
      Thread.onSpinWait();
    }
    releaseFirst.countDown();
    assertTrue(first.get(10, TimeUnit.SECONDS));
    List<Throwable> seen = new ArrayList<>();
    for (CompletableFuture<Throwable> f : thrown) {
      seen.add(f.get(10, TimeUnit.SECONDS));
    }
    // Whoever made the call gets the Error; the two others an exception naming their delivery.
    assertEquals(1, seen.stream().filter(t -> t instanceof OutOfMemoryError).count(), seen::toString);
    assertEquals(2, seen.stream().filter(t -> t instanceof IllegalStateException
        && t.getMessage().startsWith("recording the outcome of delivery ")).count(), seen::toString);
    assertFalse(seen.contains(null));
  }

  static void await(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError("not released");
      }
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
