package dev.webhooks.examples;

import dev.webhooks.examples.DemoReceiver.Behaviour;
import dev.webhooks.sender.SubscriptionService;
import java.time.Duration;
import java.util.List;

/**
 * What a run of the demo came to. The healthy and flaky endpoints are "live"; the gone one is
 * expected to be refused and disabled.
 *
 * @param settled whether every delivery settled before the timeout
 * @param liveDeliveries deliveries to the live endpoints
 * @param liveDelivered of those, how many were delivered
 * @param invalidSignatures requests any receiver refused as failing verification
 * @param duplicates verified requests for an event the receiver had already processed
 * @param flakyRefusals verified requests the flaky receiver answered with an error on purpose
 * @param retriedDeliveries delivered deliveries that needed more than one attempt
 * @param goneDisabled whether the sender disabled every subscription whose endpoint answered 410
 * @param subscriptions the tenant and path of each subscription, in the summary table's order
 * @param elapsed from starting the sender until every delivery settled
 */
record DemoResult(boolean settled, int liveDeliveries, int liveDelivered, int invalidSignatures, int duplicates,
    int flakyRefusals, int retriedDeliveries, boolean goneDisabled, List<String> subscriptions, Duration elapsed) {

  /** The exit status's verdict: every live delivery delivered, and no request failed verification. */
  boolean success() {
    return settled && liveDelivered == liveDeliveries && invalidSignatures == 0;
  }

  /** Sums up the table (the sender's view) and the receivers' counts. */
  static DemoResult of(SummaryTable table, SubscriptionService subscriptionService, boolean settled, Duration elapsed) {
    int live = 0;
    int liveDelivered = 0;
    int retried = 0;
    int invalid = 0;
    int duplicates = 0;
    int refusals = 0;
    boolean goneDisabled = true;
    for (SummaryTable.Row r : table.rows()) {
      DemoSubscription s = r.subscription();
      invalid += s.endpoint().invalid.get();
      duplicates += s.endpoint().duplicates.get();
      refusals += s.behaviour() == Behaviour.FLAKY ? s.endpoint().refused.get() : 0;
      if (s.behaviour() == Behaviour.GONE) {
        goneDisabled &= !subscriptionService.get(s.tenantId(), s.subscription().id()).enabled();
      } else {
        live += r.deliveries();
        liveDelivered += r.delivered();
        retried += r.retried();
      }
    }
    return new DemoResult(settled, live, liveDelivered, invalid, duplicates, refusals, retried, goneDisabled,
        table.rows().stream().map(r -> r.subscription().name()).toList(), elapsed);
  }
}
