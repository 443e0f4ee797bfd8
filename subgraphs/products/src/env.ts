import { subgraphEnvSchema } from '@storefront/kit';
import { z } from 'zod';

/** The stock reservation settings of the checkout saga (see README). */
export const reservationEnvSchema = z.object({
  /** How long a reservation holds its stock unless the order confirms it. @default 60 */
  RESERVATION_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** How often expired reservations are swept and their stock returned. @default 5 */
  RESERVATION_SWEEP_SECONDS: z.coerce.number().positive().max(3600).default(5),
});

/** The products service's environment (see README). */
export const envSchema = subgraphEnvSchema(4002).extend(reservationEnvSchema.shape);
