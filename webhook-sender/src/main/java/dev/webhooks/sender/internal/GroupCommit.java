package dev.webhooks.sender.internal;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Group commit: makes one call for many items that arrive together, each caller waiting for its
 * own answer. A caller hands its item over and waits; whichever waiting caller finds no call in
 * progress makes the next one, on its own thread, with every item handed over since the last, up
 * to {@code maxBatch}. There is no thread of its own: alone, a caller's item goes in a call of its
 * own at once, as if called directly; under load, while one call runs (a transaction commits),
 * the next group gathers. A store paying a disk flush and a round trip per transaction then pays
 * them once per group.
 *
 * <p>A failed call is made again one item at a time, so that one bad item does not fail its
 * neighbours: each caller gets its own answer or exception. The call must therefore be safe to
 * repeat for items whose first call failed (a transaction that rolled back, or whose commit is in
 * doubt and whose repeat is refused, for instance by a primary key). Waiting ignores interrupts: an
 * item handed over is answered. Internal: used by the sender's outcome recorder and by the JDBC
 * store's {@code publish}.
 *
 * <pre>{@code
 * GroupCommit<EventRecord, PublishResult> publishes = new GroupCommit<>("events", 64,
 *     events -> tx(c -> events.stream().map(e -> publish(c, e)).toList()),   // one transaction
 *     e -> "publishing event " + e.id() + " failed");
 * PublishResult r = publishes.submit(event);    // from any thread
 * }</pre>
 *
 * @param <I> an item handed over
 * @param <O> its answer
 */
public final class GroupCommit<I, O> {
  /** The call made for a group: one answer per item, in the items' order. */
  @FunctionalInterface
  public interface Call<I, O> {
    List<O> call(List<I> items);
  }

  private final String noun;
  private final int maxBatch;
  private final Call<I, O> call;
  private final Function<I, String> failedMessage;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition answered = lock.newCondition();
  private List<Pending<I, O>> queue = new ArrayList<>(); // guarded by lock
  private boolean calling; // guarded by lock

  /**
   * @param noun the items' name, plural, for the message of a call answering the wrong number
   * @param maxBatch most items in one call (keeps one transaction's statements and locks small)
   * @param call the call for a group, made on one of the callers' threads
   * @param failedMessage the message of the exception a caller gets when an {@code Error} stopped
   *     the call before its item was answered (the caller that made the call gets the Error)
   */
  public GroupCommit(String noun, int maxBatch, Call<I, O> call, Function<I, String> failedMessage) {
    this.noun = requireNonNull(noun, "noun == null");
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be at least 1: " + maxBatch);
    }
    this.maxBatch = maxBatch;
    this.call = requireNonNull(call, "call == null");
    this.failedMessage = requireNonNull(failedMessage, "failedMessage == null");
  }

  private static final class Pending<I, O> {
    final I item;
    boolean done; // guarded by the lock
    boolean hasAnswer;
    O answer;
    RuntimeException failure;

    Pending(I item) {
      this.item = item;
    }

    void answer(O answer, RuntimeException failure) {
      this.answer = answer;
      this.failure = failure;
      this.hasAnswer = true;
    }
  }

  /**
   * Hands {@code item} over and returns its answer once a call made it.
   *
   * @throws RuntimeException what the call threw for this item (alone, after a failed group)
   */
  public O submit(I item) {
    Pending<I, O> mine = new Pending<>(requireNonNull(item, "item == null"));
    lock.lock();
    try {
      queue.add(mine);
      while (!mine.done) {
        if (calling) {
          answered.awaitUninterruptibly();
          continue;
        }
        calling = true;
        List<Pending<I, O>> batch;
        if (queue.size() <= maxBatch) {
          batch = queue;
          queue = new ArrayList<>();
        } else {
          batch = new ArrayList<>(queue.subList(0, maxBatch));
          queue = new ArrayList<>(queue.subList(maxBatch, queue.size()));
        }
        lock.unlock();
        try {
          callFor(batch);
        } finally {
          lock.lock();
          calling = false;
          batch.forEach(p -> p.done = true);
          answered.signalAll();
        }
      }
    } finally {
      lock.unlock();
    }
    if (mine.failure != null) {
      throw mine.failure;
    }
    return mine.answer;
  }

  /** Items handed over and waiting for the next call: for tests. */
  public int queued() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /** Outside the lock: fills in each pending item's answer or failure. */
  private void callFor(List<Pending<I, O>> batch) {
    try {
      List<I> items = new ArrayList<>(batch.size());
      batch.forEach(p -> items.add(p.item));
      List<O> answers = answers(items);
      for (int i = 0; i < answers.size(); i++) {
        batch.get(i).answer(answers.get(i), null);
      }
    } catch (RuntimeException e) {
      if (batch.size() == 1) {
        batch.get(0).answer(null, e);
        return;
      }
      for (Pending<I, O> p : batch) {
        try {
          p.answer(answers(List.of(p.item)).get(0), null);
        } catch (RuntimeException alone) {
          p.answer(null, alone);
        }
      }
    } finally {
      // An Error on the way: whoever got no answer hears that its item may not have gone through.
      for (Pending<I, O> p : batch) {
        if (!p.hasAnswer) {
          p.answer(null, new IllegalStateException(failedMessage.apply(p.item)));
        }
      }
    }
  }

  private List<O> answers(List<I> items) {
    List<O> answers = call.call(items);
    if (answers == null || answers.size() != items.size()) {
      throw new IllegalStateException("the store answered " + (answers == null ? "null" : answers.size())
          + " for " + items.size() + " " + noun);
    }
    return answers;
  }
}
