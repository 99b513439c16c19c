/**
 * The webhooks SDK core: the event taxonomy, the subscription model and its validation, the URL
 * policy that keeps webhooks off private networks, secrets and keys, the event envelope, and the
 * signature schemes, in both directions where the scheme allows.
 *
 * <p>It has no I/O of its own: {@code webhook-sender} and {@code webhook-verifier} build on it.
 */
module dev.webhooks.core {
  requires transitive com.fasterxml.jackson.databind;

  exports dev.webhooks.core;
  exports dev.webhooks.core.event;
  exports dev.webhooks.core.secret;
  exports dev.webhooks.core.signature;
  exports dev.webhooks.core.subscription;
  exports dev.webhooks.core.url;
  exports dev.webhooks.core.internal to
      dev.webhooks.sender;
}
