import type { BackgroundJobs, Logger } from '@storefront/kit';
import { expireDue } from './reservation.service';

/**
 * Expires HELD reservations past their expiry every `intervalMs` (and once at start-up), returning
 * their stock, so a checkout that died between reserving and confirming never keeps stock for good.
 */
export function startReservationSweeper(jobs: BackgroundJobs, log: Logger, intervalMs: number): void {
  jobs.every('reservation sweep', intervalMs, async (db) => {
    let expired = 0;
    // A backlog (e.g. after a long outage of orders) is worked off in pages of 100.
    for (let page = await expireDue(db); page > 0; page = await expireDue(db)) expired += page;
    if (expired > 0) log.info({ expired }, 'expired reservations returned their stock');
  });
}
