package dev.webhooks.core.subscription;

/**
 * Why a {@link Subscription} is disabled: {@link Subscription#disabledReason()} is present exactly
 * when the subscription was disabled by someone or something, and absent once it is enabled again.
 *
 * <pre>{@code
 * if (sub.disabledReason().orElse(null) == DisabledReason.ENDPOINT_GONE) {
 *   notifyTenant(sub.tenantId(), "your endpoint answered 410 Gone and was disabled");
 * }
 * }</pre>
 */
public enum DisabledReason {
  /** Disabled through the management API, by the tenant or an operator. */
  MANUAL,
  /** The endpoint answered {@code 410 Gone}: the receiver asked to stop. */
  ENDPOINT_GONE,
  /** Every delivery failed continuously for longer than the disabling window (default 5 days). */
  FAILING
}
