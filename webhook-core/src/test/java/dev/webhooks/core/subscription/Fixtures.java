package dev.webhooks.core.subscription;

import dev.webhooks.core.event.EventCatalog;
import dev.webhooks.core.url.UrlPolicy;
import java.time.Instant;
import java.util.UUID;

/** The seeds' event types, a strict validator and a valid spec to vary. */
final class Fixtures {
  private Fixtures() {}

  static final EventCatalog CATALOG =
      EventCatalog.builder()
          .event("lookup.completed", "An email lookup finished.", null)
          .event("apikey.created", "An API key was created.", null)
          .event("apikey.revoked", "An API key was revoked.", null)
          .event("credits.low", "Credits dropped below the threshold.", null)
          .event("survey.response.created", "A survey response was submitted.", null)
          .event("feedback.ticket.created", "A feedback ticket was opened.", null)
          .declared("proof_pack.sealed", "A proof pack was sealed.", null)
          .build();

  static final SubscriptionValidator VALIDATOR =
      new SubscriptionValidator(CATALOG, UrlPolicy.strict());

  static final String SECRET_VALUE = "Bearer s3cr3t-token";
  static final String SECRET_META = "m3ta-s3cr3t";

  static final Instant T0 = Instant.parse("2025-01-02T03:04:05Z");
  static final UUID ID = UUID.fromString("6f1c1a9e-2b7d-4c33-9a0e-3d1f7b2c8e41");

  /** A valid spec, as in the Encrata seed. */
  static SubscriptionSpec.Builder spec() {
    return SubscriptionSpec.builder()
        .url("https://example.com/webhook")
        .events("lookup.completed", "apikey.created")
        .description("Production webhook");
  }

  /** A stored subscription with a header and a metadata entry. */
  static Subscription subscription() {
    ValidatedSubscription v = VALIDATOR.validate(spec()
        .header("Authorization", SECRET_VALUE)
        .header("X-Tenant", "acme")
        .metadata("team", SECRET_META)
        .build());
    return Subscription.builder()
        .id(ID)
        .tenantId("tenant_42")
        .from(v)
        .createdAt(T0)
        .updatedAt(T0)
        .secretLastRotatedAt(T0)
        .build();
  }

  static String repeat(char c, int n) {
    return String.valueOf(c).repeat(n);
  }
}
