package dev.webhooks.sender.store;

import dev.webhooks.sender.PublishResult;
import java.sql.Connection;

/**
 * A store that can publish inside the application's own database transaction (the transactional
 * outbox): the event and its deliveries are written on the caller's connection and become visible
 * to the workers only when the caller commits. A rollback leaves nothing to send; a commit is
 * enough for the event to be delivered, even if the process dies right after it.
 *
 * <p>Applications use it through {@code WebhookSender.publish(Connection, …)}.
 */
public interface TransactionalWebhookStore extends WebhookStore {
  /**
   * {@link #publish(EventRecord)} on {@code connection}, in its open transaction, which this
   * method neither commits nor rolls back nor closes.
   *
   * @throws IllegalStateException when the connection is in auto-commit mode: there would be no
   *     transaction for the event to join
   * @throws WebhookStoreException when the database refuses; the caller's transaction should then
   *     be rolled back
   */
  PublishResult publish(Connection connection, EventRecord event);
}
