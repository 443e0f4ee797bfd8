import type { Logger } from '@storefront/kit';
import type { DataSource } from 'typeorm';
import { runInBackground } from './background-job';
import { expireDue } from './reservation.service';

/**
 * Expires HELD reservations past their expiry every `intervalMs` (and once at start-up), returning
 * their stock, so a checkout that died between reserving and confirming never keeps stock for good.
 */
export function startReservationSweeper(db: DataSource, log: Logger, intervalMs: number): void {
  runInBackground(db, log, 'reservation sweep', intervalMs, async (background) => {
    let expired = 0;
    // A backlog (e.g. after a long outage of orders) is worked off in pages of 100.
    for (let page = await expireDue(background); page > 0; page = await expireDue(background)) expired += page;
    if (expired > 0) log.info({ expired }, 'expired reservations returned their stock');
  });
}
