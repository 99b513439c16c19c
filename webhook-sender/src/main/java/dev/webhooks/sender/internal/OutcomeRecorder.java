package dev.webhooks.sender.internal;

import static java.util.Objects.requireNonNull;

import dev.webhooks.sender.store.AttemptOutcome;
import dev.webhooks.sender.store.WebhookStore;
import java.util.ArrayList;
import java.util.List;

/**
 * Records the workers' outcomes in the store, many per call when they arrive together: a {@link
 * GroupCommit} of {@link WebhookStore#recordAttempts} calls, up to {@link #MAX_BATCH} outcomes
 * each. Alone, a worker records its own outcome at once, as if called directly; under load, while
 * one call commits, the next batch gathers. A failed call is tried again one outcome at a time, so
 * that one bad outcome does not fail its neighbours; each worker gets its own answer or exception.
 */
final class OutcomeRecorder {
  /** Most outcomes in one call: keeps one transaction's statements and locks small. */
  static final int MAX_BATCH = 256;

  private final GroupCommit<AttemptOutcome, Boolean> group;

  OutcomeRecorder(WebhookStore store) {
    requireNonNull(store, "store == null");
    this.group = new GroupCommit<>("outcomes", MAX_BATCH, outcomes -> {
      boolean[] kept = store.recordAttempts(outcomes);
      List<Boolean> answers = new ArrayList<>(kept.length);
      for (boolean k : kept) {
        answers.add(k);
      }
      return answers;
    }, o -> "recording the outcome of delivery " + o.claim().delivery().id() + " failed");
  }

  /**
   * Records one outcome and answers as {@link WebhookStore#recordAttempt} does: {@code false}
   * when the lease was lost.
   *
   * @throws RuntimeException what the store threw for this outcome
   */
  boolean record(AttemptOutcome outcome) {
    return group.submit(requireNonNull(outcome, "outcome == null"));
  }

  /** Outcomes handed over and waiting for the next call: for tests. */
  int queued() {
    return group.queued();
  }
}
