/**
 * Machinery shared with the sibling modules. Not an API: exported only to
 * {@code dev.webhooks.sender} and {@code dev.webhooks.verifier}, and free to change.
 */
package dev.webhooks.core.internal;
