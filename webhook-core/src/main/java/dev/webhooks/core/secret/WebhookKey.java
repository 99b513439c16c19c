package dev.webhooks.core.secret;

/**
 * Key material a signature scheme signs or verifies with: a symmetric {@link WebhookSecret}, an
 * {@link Ed25519SigningKey} (signs, and verifies through its public half) or an
 * {@link Ed25519VerifyingKey} (verifies only).
 *
 * <p>Every implementation is immutable and thread-safe, and its {@code toString()} never shows key
 * material.
 */
public sealed interface WebhookKey permits WebhookSecret, Ed25519SigningKey, Ed25519VerifyingKey {}
