/**
 * Machinery shared with the sender module. Not an API: exported only to
 * {@code dev.webhooks.sender}, and free to change.
 */
package dev.webhooks.core.internal;
