import { decodeFailure, encodeFailure, failureError } from '../checkout.errors';

describe('failure records (what a retry with the same idempotency key replays)', () => {
  it('round-trips the code, message, product and field, within the 500-character column', () => {
    const failure = { code: 'CONFLICT' as const, message: `Not enough stock of "${'x'.repeat(600)}"`, productId: 'p-1', field: 'items.1.productId' };
    const stored = encodeFailure(failure);
    expect(stored.length).toBeLessThanOrEqual(500);
    expect(decodeFailure(stored)).toEqual({ ...failure, message: failure.message.slice(0, 300) });
  });

  it('reads a reason that is not a record as a CONFLICT with that text, and a missing one generically', () => {
    expect(decodeFailure('out of stock')).toEqual({ code: 'CONFLICT', message: 'out of stock' });
    expect(decodeFailure(null)).toEqual({ code: 'CONFLICT', message: 'The order could not be placed' });
  });

  it('turns a record into the client error with its contract code and extensions', () => {
    const conflict = failureError({ code: 'CONFLICT', message: 'short', productId: 'p-1', field: 'items.0.productId' });
    expect(conflict.extensions).toEqual({ code: 'CONFLICT', productId: 'p-1', field: 'items.0.productId' });
    const downstream = failureError({ code: 'DOWNSTREAM_SERVICE_ERROR', message: 'down' });
    expect(downstream.extensions).toEqual({ code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'products' });
  });
});
