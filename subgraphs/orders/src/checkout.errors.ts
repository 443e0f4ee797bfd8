import { DomainError } from '@storefront/kit';
import { GraphQLError } from 'graphql';

/**
 * A service this one depends on did not answer. The kit's DomainError codes do not include the
 * contract's DOWNSTREAM_SERVICE_ERROR, so it is a plain GraphQLError with that code; the kit
 * masks nothing of it (the code is public) and logs it with the request id.
 */
export class DownstreamServiceError extends GraphQLError {
  constructor(serviceName: string, message: string) {
    super(message, { extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName } });
  }
}

/** Why an order FAILED, as stored in `orders.failureReason`, so a retry replays the same error. */
export interface FailureRecord {
  code: 'CONFLICT' | 'BAD_USER_INPUT' | 'DOWNSTREAM_SERVICE_ERROR';
  message: string;
  /** The product that failed the order (out of stock, unknown). */
  productId?: string;
  /** Where in the input that product is, e.g. `items.1.productId`, for a form to point at. */
  field?: string;
}

/** Fits the 500-character column: the message is for the buyer and stays short anyway. */
export const encodeFailure = (failure: FailureRecord): string =>
  JSON.stringify({ ...failure, message: failure.message.slice(0, 300) });

export function decodeFailure(stored: string | null): FailureRecord {
  try {
    const parsed = JSON.parse(stored ?? '') as FailureRecord;
    if (typeof parsed.code === 'string' && typeof parsed.message === 'string') return parsed;
  } catch {
    // not a record (written by hand?): fall through to a generic one
  }
  return { code: 'CONFLICT', message: stored || 'The order could not be placed' };
}

/** The client's error for a failed order, the same on the first answer and on every retry. */
export function failureError(failure: FailureRecord): GraphQLError {
  if (failure.code === 'DOWNSTREAM_SERVICE_ERROR') return new DownstreamServiceError('products', failure.message);
  const { code, message, ...extensions } = failure;
  return new DomainError(message, code, extensions);
}
