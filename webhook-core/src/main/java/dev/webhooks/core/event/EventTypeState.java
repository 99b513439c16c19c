package dev.webhooks.core.event;

/**
 * Whether an {@link EventType} of an {@link EventCatalog} is emitted today.
 *
 * <pre>{@code
 * EventCatalog catalog = EventCatalog.builder()
 *     .event("right.issued", "A right was issued.", example)            // ACTIVE
 *     .declared("proof_pack.sealed", "A proof pack was sealed.", example) // DECLARED
 *     .build();
 * catalog.find("proof_pack.sealed").map(EventType::state);  // Optional[DECLARED]
 * }</pre>
 *
 * <p>Both states are subscribable; the difference is documentation for integrators and a hint to
 * the publisher.
 */
public enum EventTypeState {
  /** The application emits this type. */
  ACTIVE,
  /**
   * Declared but not emitted yet. Subscribing to it is allowed, so that integrators can prepare
   * for it (forward compatibility); whether publishing it is allowed is the publisher's choice.
   */
  DECLARED
}
