/**
 * {@link dev.webhooks.verifier.WebhookVerifier}: verify a raw request body and its headers in one
 * call, with tolerance checks in both directions, several secrets for rotation, and an optional
 * replay guard.
 */
package dev.webhooks.verifier;
