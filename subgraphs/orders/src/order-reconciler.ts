import type { BackgroundJobs } from '@storefront/kit';
import type { DataSource } from 'typeorm';
import type { Checkout } from './checkout.service';

/**
 * Reconciles unfinished orders at start-up and then every `intervalMs`, so no order stays PENDING
 * (or CANCELLING) for good after a crash or an outage of products. `checkoutOn` builds the saga
 * on the jobs' data source.
 */
export function startOrderReconciler(jobs: BackgroundJobs, intervalMs: number, checkoutOn: (db: DataSource) => Checkout): void {
  let checkout: Checkout | undefined;
  jobs.every('order reconciliation', intervalMs, async (db) => {
    checkout ??= checkoutOn(db);
    while ((await checkout.reconcile()) === 100) {
      // a full page: there may be more
    }
  });
}
