/**
 * The sending side of the SDK: {@link dev.webhooks.sender.RetryPolicy} today; publishing, fan-out,
 * signed delivery, endpoint health and the management service are being built on it.
 */
package dev.webhooks.sender;
