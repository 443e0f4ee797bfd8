import { postSigned } from '@storefront/kit';
import { GraphQLError } from 'graphql';
import { z } from 'zod';

/** The caller's name in signatures; products' lookup accepts calls from it. */
const SERVICE_NAME = 'reviews';
/** The service the calls are signed for: no other service (nor another path) accepts them. */
const TARGET = 'products';
const EXISTS_PATH = '/internal/products/exists';

const existsAnswer = z.object({ existing: z.array(z.string()) });

/**
 * Products gave no usable answer (refused connection, timeout, 5xx, a refused signature): the
 * contract's DOWNSTREAM_SERVICE_ERROR naming products. (The kit's DomainError codes do not
 * include it, as in orders' checkout errors.)
 */
export class ProductsUnavailableError extends GraphQLError {
  /** `cause` is logged with the request id (the kit logs a masked error's original), never sent. */
  constructor(cause: unknown) {
    super('The products service could not be reached to check the product, so nothing was stored; try again shortly', {
      extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'products' },
      originalError: cause instanceof Error ? cause : new Error(String(cause)),
    });
  }
}

/** The products service's signed lookup API, as addReview uses it. */
export class ProductsClient {
  private readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly secret: string,
    private readonly timeoutMs: number,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** True when products knows the product; throws ProductsUnavailableError when it cannot tell. */
  async exists(productId: string, requestId?: string): Promise<boolean> {
    let status: number;
    let text: string;
    try {
      ({ status, text } = await postSigned({
        service: SERVICE_NAME,
        target: TARGET,
        secret: this.secret,
        url: new URL(`${this.baseUrl}${EXISTS_PATH}`),
        payload: { productIds: [productId] },
        requestId,
        timeoutMs: this.timeoutMs,
      }));
    } catch (error) {
      throw new ProductsUnavailableError(error);
    }
    // Anything but a 200 with the expected body (a 401 means SERVICE_SECRET differs: a deployment
    // fault, not the reviewer's) is an answer we cannot act on.
    if (status !== 200) throw new ProductsUnavailableError(new Error(`products answered ${EXISTS_PATH} with HTTP ${status}`));
    let parsed: z.infer<typeof existsAnswer>;
    try {
      parsed = existsAnswer.parse(JSON.parse(text));
    } catch (error) {
      throw new ProductsUnavailableError(error);
    }
    return parsed.existing.includes(productId);
  }
}
