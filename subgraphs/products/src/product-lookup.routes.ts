import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJsonBody, requireCaller, sendJson, type Route } from '@storefront/kit';
import { In, type DataSource } from 'typeorm';
import { z } from 'zod';
import { Product } from './entities/product.entity';

/** The services allowed to ask: reviews checks a product before it stores a review of it. */
const CALLERS = ['reviews'];

/** Most ids one call may ask about; a review needs one, the bound keeps a call one small statement. */
export const MAX_LOOKUP_IDS = 100;

const existsRequest = z.object({
  // 64 like the longest product id reviews accepts; products' own ids are 36-character UUIDs.
  productIds: z.array(z.string().min(1).max(64)).min(1).max(MAX_LOOKUP_IDS),
});

/** The answer: the asked ids that are products, in the order asked. */
export interface ExistsJson {
  existing: string[];
}

export interface ProductLookupRoutesOptions {
  db: DataSource;
  bodyLimitBytes: number;
}

/**
 * Whether products exist, for our other services only (never through the router): every call
 * must carry a valid signature of an allowed caller made for products (401 otherwise, in every
 * environment), so it is no way for a client to probe the catalogue past the router's limits.
 * The subgraph's signature guard verifies the signature; the route checks who it proved signed.
 */
export function productLookupRoutes(options: ProductLookupRoutesOptions): Record<string, Route> {
  const exists: Route = async (req: IncomingMessage, res: ServerResponse, info) => {
    requireCaller(info, CALLERS);
    const { productIds } = await readJsonBody(req, options.bodyLimitBytes, existsRequest);
    const asked = [...new Set(productIds)];
    const rows = await options.db.getRepository(Product).find({ select: { id: true }, where: { id: In(asked) } });
    const found = new Set(rows.map((row) => row.id));
    const answer: ExistsJson = { existing: asked.filter((id) => found.has(id)) };
    await sendJson(res, 200, answer);
  };
  return { 'POST /internal/products/exists': exists };
}
