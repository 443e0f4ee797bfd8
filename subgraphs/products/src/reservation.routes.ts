import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJsonBody, requireCaller, sendJson, type Route } from '@storefront/kit';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { Reservation } from './entities/reservation.entity';
import { ReservationError, confirm, release, reserve, returnStock } from './reservation.service';

/** The services allowed to call this API: a call signed by any other is refused (401). */
const CALLERS = ['orders'];

const orderId = z.string().min(1).max(36);
const items = z
  .array(z.object({ productId: z.string().min(1).max(36), quantity: z.number().int().min(1).max(1_000_000) }))
  .min(1)
  .max(100)
  .refine((lines) => new Set(lines.map((line) => line.productId)).size === lines.length, 'each product may appear only once');

const reserveRequest = z.object({ orderId, items });
const orderRequest = z.object({ orderId });
const returnRequest = z.object({ orderId, items: items.optional() });

/** The wire form of a reservation. */
export interface ReservationJson {
  id: string;
  orderId: string;
  status: Reservation['status'];
  expiresAt: string;
  items: Reservation['items'];
}

const toJson = (reservation: Reservation): ReservationJson => ({
  id: reservation.id,
  orderId: reservation.orderId,
  status: reservation.status,
  expiresAt: reservation.expiresAt.toISOString(),
  items: reservation.items,
});

const refusal = (message: string, code: string, extra: Record<string, unknown> = {}) => ({
  errors: [{ message, extensions: { code, ...extra } }],
});

export interface ReservationRoutesOptions {
  db: DataSource;
  /** How long a reservation holds its stock unless confirmed. */
  ttlSeconds: number;
  bodyLimitBytes: number;
}

/**
 * The stock reservation API of the checkout saga: for the orders service only, never through the
 * router. Every call must carry a valid HMAC signature of the orders service made for products
 * (401 otherwise), so neither a client nor another service can take or return stock. The subgraph's
 * signature guard verifies it (once, so its nonce is claimed once, in the store the replicas share);
 * the route checks who it proved signed. All calls are keyed by the caller's order id and are
 * idempotent.
 */
export function reservationRoutes(options: ReservationRoutesOptions): Record<string, Route> {

  function handler<S extends z.ZodType>(
    schema: S,
    action: (request: z.infer<S>) => Promise<{ status: number; reservation: Reservation }>,
  ): Route {
    return async (req: IncomingMessage, res: ServerResponse, info) => {
      requireCaller(info, CALLERS);
      const request = await readJsonBody(req, options.bodyLimitBytes, schema);
      try {
        const { status, reservation } = await action(request);
        sendJson(res, status, toJson(reservation));
      } catch (error) {
        if (!(error instanceof ReservationError)) throw error;
        sendJson(res, error.status, refusal(error.message, error.code, error.productId ? { productId: error.productId } : {}));
      }
    };
  }

  return {
    'POST /internal/reservations': handler(reserveRequest, async (request) => {
      const { reservation, created } = await reserve(options.db, request.orderId, request.items, options.ttlSeconds);
      return { status: created ? 201 : 200, reservation };
    }),
    'POST /internal/reservations/confirm': handler(orderRequest, async (request) => ({
      status: 200,
      reservation: await confirm(options.db, request.orderId),
    })),
    'POST /internal/reservations/release': handler(orderRequest, async (request) => ({
      status: 200,
      reservation: await release(options.db, request.orderId),
    })),
    'POST /internal/reservations/return': handler(returnRequest, async (request) => ({
      status: 200,
      reservation: await returnStock(options.db, request.orderId, request.items),
    })),
  };
}
