/**
 * Signature schemes behind one interface, {@link dev.webhooks.core.signature.SignatureScheme}:
 * Standard Webhooks {@code v1}/{@code v1a} (also with Svix's branded header names), hex HMAC in a
 * configurable header (GitHub's {@code X-Hub-Signature-256} among them), Stripe-style
 * {@code t=,v1=}, and verify-only Slack and Shopify.
 */
package dev.webhooks.core.signature;
