package dev.webhooks.sender.rest;

import static java.util.Objects.requireNonNull;

import dev.webhooks.core.subscription.SubscriptionValidator;
import java.util.EnumSet;
import java.util.Set;

/**
 * Who calls the management API, as an {@link ApiAuthenticator} establishes it: the tenant whose
 * webhooks every call is confined to, and what the caller may do. Immutable.
 *
 * <pre>{@code
 * ApiCaller.of("tenant-42", ApiPermission.READ, ApiPermission.WRITE)
 * }</pre>
 *
 * @param tenantId the tenant; a valid tenant id
 * @param permissions what the caller may do; may be empty (then every call is refused with 403)
 */
public record ApiCaller(String tenantId, Set<ApiPermission> permissions) {
  public ApiCaller {
    SubscriptionValidator.requireTenantId(tenantId);
    requireNonNull(permissions, "permissions == null");
    permissions = permissions.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(permissions));
  }

  /** A caller of {@code tenantId} with these permissions. */
  public static ApiCaller of(String tenantId, ApiPermission... permissions) {
    return new ApiCaller(tenantId, Set.of(permissions));
  }

  /** Whether the caller may do what needs {@code permission}. */
  public boolean may(ApiPermission permission) {
    return permissions.contains(permission);
  }
}
