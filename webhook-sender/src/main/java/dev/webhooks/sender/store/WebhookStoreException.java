package dev.webhooks.sender.store;

import dev.webhooks.core.WebhookException;

/**
 * A store could not do what was asked: its database refused the statement or could not be
 * reached. Nothing was changed by the failed call (every store method is atomic); the call may be
 * retried. The message names the operation, never a secret or a payload.
 */
public class WebhookStoreException extends WebhookException {
  private static final long serialVersionUID = 1L;

  public WebhookStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
