/**
 * The event taxonomy: event type names, the {@link dev.webhooks.core.event.EventCatalog} an
 * application declares once, the subscription filters ({@code lookup.completed}, {@code *},
 * {@code survey.*}) with fast matching, and the JSON envelope every delivery carries.
 */
package dev.webhooks.core.event;
