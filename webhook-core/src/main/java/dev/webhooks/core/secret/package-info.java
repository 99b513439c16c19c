/**
 * Signing material: symmetric {@code whsec_} secrets and Ed25519 {@code whsk_}/{@code whpk_} keys.
 * None of these types ever prints its key material.
 */
package dev.webhooks.core.secret;
