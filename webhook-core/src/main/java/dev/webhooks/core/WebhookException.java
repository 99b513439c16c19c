package dev.webhooks.core;

/**
 * The root of every exception this SDK throws. It is unchecked; its subclasses carry the data a
 * caller needs to answer (a code, a field, a reason) so that nobody has to parse a message.
 *
 * <p>Messages never contain secrets, signatures or payloads.
 */
public class WebhookException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public WebhookException(String message) {
    super(message);
  }

  public WebhookException(String message, Throwable cause) {
    super(message, cause);
  }
}
