package dev.webhooks.core;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Input was refused. Carries a stable {@link #code()}, the offending {@link #field()} when there is
 * one, and a human-readable message that never repeats secret material.
 *
 * <pre>{@code
 * try {
 *   validator.validate(spec);
 * } catch (WebhookValidationException e) {
 *   respond(400, e.code().code(), e.field().orElse(null), e.getMessage());
 * }
 * }</pre>
 */
public class WebhookValidationException extends WebhookException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final String field;

  /**
   * @param code the stable code
   * @param field the input field at fault, or {@code null} when none applies
   * @param message what is wrong, for a human; must not contain secrets
   */
  public WebhookValidationException(ErrorCode code, String field, String message) {
    super(requireNonNull(message, "message == null"));
    this.code = requireNonNull(code, "code == null");
    this.field = field;
  }

  /** The stable code, e.g. {@link ErrorCode#INVALID_URL}. */
  public ErrorCode code() {
    return code;
  }

  /** The input field at fault ({@code "url"}, {@code "events[2]"}), if one applies. */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }
}
