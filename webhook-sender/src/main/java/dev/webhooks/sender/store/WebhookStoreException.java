package dev.webhooks.sender.store;

import dev.webhooks.core.WebhookException;

/**
 * A store could not do what was asked: its database refused the statement or could not be
 * reached. The failed call changed nothing (every store method is atomic) and may be retried,
 * with one exception. The message names the operation, never a secret or a payload.
 *
 * <p>The exception: the connection was lost while the database committed, so the outcome is
 * unknowable to the caller. A publish on PostgreSQL without an idempotency key then asks the
 * database whether its event was stored (up to ten times, about a second apart in all) and, if it was,
 * answers as if nothing had failed; if it cannot tell, its message ends with "whether it took
 * effect is unknown". Other operations whose commit is cut off are tried again where that is
 * harmless (claims and outcomes) and otherwise throw, and may then have taken effect. Publishes
 * that must never be stored twice should carry an idempotency key from their first call: a retry
 * with the same key is then safe whatever happened.
 */
public class WebhookStoreException extends WebhookException {
  private static final long serialVersionUID = 1L;

  public WebhookStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
