import type { Logger } from '@storefront/kit';
import type { DataSource } from 'typeorm';
import { runInBackground } from './background-job';
import type { Checkout } from './checkout.service';

/**
 * Reconciles unfinished orders at start-up and then every `intervalMs`, so no order stays PENDING
 * (or CANCELLING) for good after a crash or an outage of products. `checkoutOn` builds the saga
 * on the background data source.
 */
export function startOrderReconciler(
  db: DataSource,
  log: Logger,
  intervalMs: number,
  checkoutOn: (background: DataSource) => Checkout,
): void {
  let checkout: Checkout | undefined;
  runInBackground(db, log, 'order reconciliation', intervalMs, async (background) => {
    checkout ??= checkoutOn(background);
    while ((await checkout.reconcile()) === 100) {
      // a full page: there may be more
    }
  });
}
