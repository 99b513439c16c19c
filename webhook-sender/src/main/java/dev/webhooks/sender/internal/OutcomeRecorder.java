package dev.webhooks.sender.internal;

import static java.util.Objects.requireNonNull;

import dev.webhooks.sender.store.AttemptOutcome;
import dev.webhooks.sender.store.WebhookStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Records the workers' outcomes in the store, many per call when they arrive together (group
 * commit). A worker hands its outcome over and waits until it is recorded; whichever waiting
 * worker finds no call in progress makes the next one, with every outcome handed over since the
 * last, up to {@link #MAX_BATCH}. There is no thread of its own: alone, a worker records its own
 * outcome at once, as if called directly; under load, while one call commits, the next batch
 * gathers. A store paying a disk flush per transaction then pays it once per batch. A store whose
 * calls cost no more than a lock ({@link WebhookStore#batchesPayOff()} false) is called directly
 * by each worker.
 *
 * <p>A failed call is tried again one outcome at a time, so that one bad outcome does not fail
 * its neighbours; each worker gets its own answer or exception.
 */
final class OutcomeRecorder {
  /** Most outcomes in one call: keeps one transaction's statements and locks small. */
  static final int MAX_BATCH = 256;

  private final WebhookStore store;
  /** {@link WebhookStore#batchesPayOff()}, asked once. */
  private final boolean batches;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition recorded = lock.newCondition();
  private List<Pending> queue = new ArrayList<>(); // guarded by lock
  private boolean calling; // guarded by lock

  OutcomeRecorder(WebhookStore store) {
    this.store = requireNonNull(store, "store == null");
    this.batches = store.batchesPayOff();
  }

  private static final class Pending {
    final AttemptOutcome outcome;
    boolean done; // guarded by the recorder's lock
    boolean answered;
    boolean kept;
    RuntimeException failure;

    Pending(AttemptOutcome outcome) {
      this.outcome = outcome;
    }

    void answer(boolean kept, RuntimeException failure) {
      this.kept = kept;
      this.failure = failure;
      this.answered = true;
    }
  }

  /**
   * Records one outcome and answers as {@link WebhookStore#recordAttempt} does: {@code false}
   * when the lease was lost.
   *
   * @throws RuntimeException what the store threw for this outcome
   */
  boolean record(AttemptOutcome outcome) {
    requireNonNull(outcome, "outcome == null");
    if (!batches) {
      // Nothing to gain from a shared call, and waiting for one costs each worker a park and an
      // unpark: some 3 µs of the workers' 60 µs per delivery with the in-memory store.
      return checked(store.recordAttempts(List.of(outcome)), 1)[0];
    }
    Pending mine = new Pending(outcome);
    lock.lock();
    try {
      queue.add(mine);
      while (!mine.done) {
        if (calling) {
          recorded.awaitUninterruptibly();
          continue;
        }
        calling = true;
        List<Pending> batch;
        if (queue.size() <= MAX_BATCH) {
          batch = queue;
          queue = new ArrayList<>();
        } else {
          batch = new ArrayList<>(queue.subList(0, MAX_BATCH));
          queue = new ArrayList<>(queue.subList(MAX_BATCH, queue.size()));
        }
        lock.unlock();
        try {
          call(store, batch);
        } finally {
          lock.lock();
          calling = false;
          batch.forEach(p -> p.done = true);
          recorded.signalAll();
        }
      }
    } finally {
      lock.unlock();
    }
    if (mine.failure != null) {
      throw mine.failure;
    }
    return mine.kept;
  }

  /** Outcomes handed over and waiting for the next call: for tests. */
  int queued() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /** The store's answer for a call of {@code outcomes} outcomes, refused unless it has one per outcome. */
  private static boolean[] checked(boolean[] kept, int outcomes) {
    if (kept == null || kept.length != outcomes) {
      throw new IllegalStateException(
          "the store answered " + (kept == null ? "null" : kept.length) + " for " + outcomes + " outcomes");
    }
    return kept;
  }

  /** Outside the lock: fills in each pending outcome's answer or failure. */
  private static void call(WebhookStore store, List<Pending> batch) {
    try {
      List<AttemptOutcome> outcomes = new ArrayList<>(batch.size());
      batch.forEach(p -> outcomes.add(p.outcome));
      boolean[] kept = checked(store.recordAttempts(outcomes), batch.size());
      for (int i = 0; i < kept.length; i++) {
        batch.get(i).answer(kept[i], null);
      }
    } catch (RuntimeException e) {
      if (batch.size() == 1) {
        batch.get(0).answer(false, e);
        return;
      }
      for (Pending p : batch) {
        try {
          p.answer(store.recordAttempts(List.of(p.outcome))[0], null);
        } catch (RuntimeException alone) {
          p.answer(false, alone);
        }
      }
    } finally {
      // An Error on the way: whoever got no answer hears that its outcome may not be recorded.
      for (Pending p : batch) {
        if (!p.answered) {
          p.answer(false, new IllegalStateException("recording the outcome of delivery "
              + p.outcome.claim().delivery().id() + " failed"));
        }
      }
    }
  }
}
