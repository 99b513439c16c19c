/**
 * Verifies incoming webhooks in one call, whatever the sender: this SDK, any Standard Webhooks or
 * Svix sender, Stripe, GitHub, Slack, Shopify, or a plain hex HMAC header.
 */
module dev.webhooks.verifier {
  requires transitive dev.webhooks.core;
  requires org.slf4j;

  exports dev.webhooks.verifier;

}
