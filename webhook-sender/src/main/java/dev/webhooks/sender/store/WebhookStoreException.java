package dev.webhooks.sender.store;

import dev.webhooks.core.WebhookException;

/**
 * A store could not do what was asked: its database refused the statement or could not be
 * reached. Nothing was changed by the failed call (every store method is atomic); the call may be
 * retried. The message names the operation, never a secret or a payload.
 *
 * <p>One outcome is unknowable: the connection was lost while the database committed. A publish on
 * PostgreSQL then asks the database whether its event was stored (up to ten times) and, if it was,
 * answers as if nothing had failed; only when the database cannot be asked does it throw, with a
 * message ending "whether it took effect could not be checked". Other operations whose commit is
 * cut off are tried again where that is harmless and throw otherwise, and may then have taken
 * effect. To retry a publish that threw safely, give it an idempotency key.
 */
public class WebhookStoreException extends WebhookException {
  private static final long serialVersionUID = 1L;

  public WebhookStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
