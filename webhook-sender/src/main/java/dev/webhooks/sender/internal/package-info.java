/**
 * Internal machinery of the sender: not API. Nothing here is exported by {@code module-info}, and
 * any of it may change in any release. Today it holds the code that makes one HTTP delivery
 * attempt safely: {@link dev.webhooks.sender.internal.HttpDeliverer}, its request and result
 * types, and {@link dev.webhooks.sender.internal.PolicyDns}, the connect-time address check.
 */
package dev.webhooks.sender.internal;
