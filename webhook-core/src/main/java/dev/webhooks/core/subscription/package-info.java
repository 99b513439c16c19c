/**
 * The subscription (endpoint) model: what a tenant registers, and its validation with the stable
 * error codes of {@link dev.webhooks.core.ErrorCode}.
 */
package dev.webhooks.core.subscription;
