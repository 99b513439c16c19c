package dev.webhooks.examples;

import dev.webhooks.core.subscription.Subscription;

/** A subscription the demo created, with the receiver endpoint that verifies its deliveries. */
record DemoSubscription(String tenantId, Subscription subscription, DemoReceiver.Endpoint endpoint) {
  String path() {
    return subscription.url().getPath();
  }

  String filters() {
    return String.join(",", subscription.events());
  }

  DemoReceiver.Behaviour behaviour() {
    return endpoint.receiver().behaviour();
  }

  /** For people: tenant and path. */
  String name() {
    return tenantId + " " + path();
  }
}
