/**
 * The root of the SDK's exceptions ({@link dev.webhooks.core.WebhookException}) and the stable
 * error codes that validation failures carry ({@link dev.webhooks.core.ErrorCode}).
 */
package dev.webhooks.core;
