/**
 * The URL policy that decides which endpoint URLs and which resolved addresses a webhook may be
 * sent to: HTTPS and public addresses only by default, with an explicit allow-list for local
 * development.
 */
package dev.webhooks.core.url;
