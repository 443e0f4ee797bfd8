import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  isAdmin,
  isUniqueViolation,
  pageSize,
  validateInput,
  type BaseContext,
} from '@storefront/kit';
import { z } from 'zod';
import type { Product } from './entities/product.entity';
import type { Resolvers } from './generated/resolvers-types';
import type { ProductLoaders } from './product.loaders';
import { createProduct, listProducts, setStock } from './product.service';

export interface ProductsContext extends BaseContext {
  loaders: ProductLoaders;
}

const MAX_INT = 2_147_483_647;

const createProductInput = z.object({
  sku: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be 1 to 64 letters, digits or dashes'),
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000).nullish(),
  priceCents: z.number().int().min(0).max(MAX_INT),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO-4217 code').default('USD'),
  stock: z.number().int().min(0).max(MAX_INT),
  weightGrams: z.number().int().min(0).max(10_000_000),
});

const searchInput = z.string().max(100, 'must be at most 100 characters').nullish();

function requireAdmin(ctx: BaseContext): void {
  if (!ctx.caller) throw new UnauthenticatedError();
  if (!isAdmin(ctx.caller)) throw new ForbiddenError('Only admins may change the catalogue');
}

async function found(product: Promise<Product | null>, label: string, key: string): Promise<Product> {
  const row = await product;
  if (!row) throw new NotFoundError(label, key);
  return row;
}

/** Typed from the SDL by the generated resolver types (`npm run schema:codegen`). */
export const resolvers: Resolvers = {
  Query: {
    product: (_: unknown, { id }: { id: string }, ctx: ProductsContext) =>
      found(ctx.loaders.productById.load(id), 'Product', id),
    productBySku: (_: unknown, { sku }: { sku: string }, ctx: ProductsContext) =>
      found(ctx.loaders.productBySku.load(sku), 'Product with SKU', sku),
    products: (
      _: unknown,
      args: { first?: number | null; after?: string | null; search?: string | null },
      ctx: ProductsContext,
    ) => {
      const search = validateInput(searchInput, args.search);
      return listProducts(ctx.db, pageSize(args.first), args.after, search?.trim());
    },
  },
  Mutation: {
    createProduct: async (_: unknown, { input }: { input: unknown }, ctx: ProductsContext) => {
      requireAdmin(ctx);
      const data = validateInput(createProductInput, input);
      try {
        return await createProduct(ctx.db, data);
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError(`A product with SKU "${data.sku}" already exists`);
        throw error;
      }
    },
    setStock: async (_: unknown, args: { productId: string; stock: number }, ctx: ProductsContext) => {
      requireAdmin(ctx);
      const stock = validateInput(z.number().int().min(0).max(MAX_INT), args.stock);
      return found(setStock(ctx.db, args.productId, stock), 'Product', args.productId);
    },
  },
  Product: {
    __resolveReference: (ref: { id?: string; sku?: string }, ctx: ProductsContext) =>
      ref.id !== undefined ? ctx.loaders.productById.load(ref.id) : ctx.loaders.productBySku.load(ref.sku ?? ''),
    price: (product: Product) => ({ amountCents: product.priceCents, currency: product.currency }),
  },
};
