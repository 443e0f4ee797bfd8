import { postSigned } from '@storefront/kit';
import { z } from 'zod';

/** The caller's name in signatures; products accepts reservation calls from it only. */
const SERVICE_NAME = 'orders';
/** The service the calls are signed for: no other service (nor another path) accepts them. */
const TARGET = 'products';

const reservedItem = z.object({
  productId: z.string(),
  quantity: z.number().int(),
  unitPriceCents: z.number().int(),
  currency: z.string(),
});

const reservationJson = z.object({
  id: z.string(),
  orderId: z.string(),
  status: z.enum(['HELD', 'CONFIRMED', 'RELEASED', 'EXPIRED', 'RETURNED']),
  expiresAt: z.string(),
  items: z.array(reservedItem),
});

export type Reservation = z.infer<typeof reservationJson>;
export type ReservedItem = z.infer<typeof reservedItem>;

export interface ItemRequest {
  productId: string;
  quantity: number;
}

/**
 * Products answered and refused: nothing was done. `code` is the contract code products gave
 * (CONFLICT for stock, BAD_USER_INPUT for an unknown product, NOT_FOUND for an unknown order).
 */
export class ProductsRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly productId?: string,
  ) {
    super(message);
  }
}

/**
 * No usable answer (refused connection, timeout, 5xx, a refused signature): whether products did
 * the work is unknown, so callers must find out or make sure (release) before deciding.
 */
export class ProductsUnavailable extends Error {}

const refusalBody = z.object({
  errors: z.array(z.object({ message: z.string(), extensions: z.object({ code: z.string(), productId: z.string().optional() }) })).min(1),
});

/** The products service's signed reservation API, as the checkout saga uses it. */
export class ProductsClient {
  private readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly secret: string,
    private readonly timeoutMs: number,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** Takes stock for every item of the order, or none; idempotent per order id. */
  reserve(orderId: string, items: readonly ItemRequest[], requestId?: string): Promise<Reservation> {
    return this.post('/internal/reservations', { orderId, items }, requestId);
  }

  /** Confirms the order's reservation; answers it as it stands afterwards. */
  confirm(orderId: string, requestId?: string): Promise<Reservation> {
    return this.post('/internal/reservations/confirm', { orderId }, requestId);
  }

  /** Gives back held stock; a confirmed reservation stays confirmed (see its status). */
  release(orderId: string, requestId?: string): Promise<Reservation> {
    return this.post('/internal/reservations/release', { orderId }, requestId);
  }

  /** Gives back the stock of a confirmed (sold) reservation: the order was cancelled. */
  returnStock(orderId: string, items: readonly ItemRequest[], requestId?: string): Promise<Reservation> {
    return this.post('/internal/reservations/return', { orderId, items }, requestId);
  }

  private async post(path: string, payload: unknown, requestId?: string): Promise<Reservation> {
    let status: number;
    let text: string;
    try {
      ({ status, text } = await postSigned({
        service: SERVICE_NAME,
        target: TARGET,
        secret: this.secret,
        url: new URL(`${this.baseUrl}${path}`),
        payload,
        requestId,
        timeoutMs: this.timeoutMs,
      }));
    } catch (error) {
      throw new ProductsUnavailable(`products did not answer ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ProductsUnavailable(`products answered ${path} with HTTP ${status} and no JSON`);
    }
    if (status >= 200 && status < 300) {
      const reservation = reservationJson.safeParse(json);
      if (!reservation.success) throw new ProductsUnavailable(`products answered ${path} with an unexpected body`);
      return reservation.data;
    }
    const refusal = refusalBody.safeParse(json);
    // 401/403 mean our signature was refused (SERVICE_SECRET differs): a deployment fault, not the buyer's.
    if (status >= 500 || status === 401 || status === 403 || !refusal.success) {
      throw new ProductsUnavailable(`products answered ${path} with HTTP ${status}`);
    }
    const [first] = refusal.data.errors;
    throw new ProductsRefusal(status, first!.extensions.code, first!.message, first!.extensions.productId);
  }
}
