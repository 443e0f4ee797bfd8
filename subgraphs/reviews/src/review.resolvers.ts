import type { GraphQLResolverMap } from '@apollo/subgraph';
import {
  BadUserInputError,
  ConflictError,
  NotFoundError,
  UnauthenticatedError,
  isUniqueViolation,
  pageSize,
  toConnection,
  validateInput,
  type BaseContext,
} from '@storefront/kit';
import { z } from 'zod';
import type { Review } from './entities/review.entity';
import type { ProductsClient } from './products.client';
import type { ReviewLoaders } from './review.loaders';
import { addReview, decodeReviewCursor, reviewCursor } from './review.service';

export interface ReviewsContext extends BaseContext {
  loaders: ReviewLoaders;
  /** Products' signed lookup: whether a product exists (addReview only). */
  products: ProductsClient;
}

/** What the router sends for a User or Product: reviews only knows the id, not whether it exists. */
interface EntityRef {
  id: string;
}

/** The SDL's default for `Product.reviews(first:)`; kept here too for callers that pass null. */
const DEFAULT_PAGE_SIZE = 10;
/** The SDL's default for `User.reviews(first:)`; its maximum is the kit's MAX_PAGE_SIZE (100). */
const DEFAULT_USER_REVIEWS = 20;

const addReviewInput = z.object({
  productId: z.string().min(1, 'must not be empty').max(64, 'must be at most 64 characters'),
  rating: z.number().int('must be a whole number').min(1, 'must be from 1 to 5').max(5, 'must be from 1 to 5'),
  body: z.string().trim().min(1, 'must not be empty').max(5000, 'must be at most 5000 characters'),
});

export const resolvers: GraphQLResolverMap<ReviewsContext> = {
  Query: {
    review: async (_: unknown, { id }: { id: string }, ctx: ReviewsContext) => {
      const review = await ctx.loaders.reviewById.load(id);
      if (!review) throw new NotFoundError('Review', id);
      return review;
    },
  },
  Mutation: {
    addReview: async (_: unknown, { input }: { input: unknown }, ctx: ReviewsContext) => {
      if (!ctx.caller) throw new UnauthenticatedError();
      const data = validateInput(addReviewInput, input);
      // Whether the product exists is products' knowledge: ask it before storing, so a review of
      // no product is refused (and stores nothing) rather than shown with product: null. If
      // products cannot answer, nothing is stored either (DOWNSTREAM_SERVICE_ERROR from the client).
      if (!(await ctx.products.exists(data.productId, ctx.requestId))) {
        throw new BadUserInputError(`Product ${JSON.stringify(data.productId)} does not exist`, 'productId');
      }
      try {
        return await addReview(ctx.db, { ...data, authorId: ctx.caller.userId });
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError('You have already reviewed this product');
        throw error;
      }
    },
  },
  Review: {
    __resolveReference: (ref: EntityRef, ctx: ReviewsContext) => ctx.loaders.reviewById.load(ref.id),
    author: (review: Review) => ({ __typename: 'User', id: review.authorId }),
    product: (review: Review) => ({ __typename: 'Product', id: review.productId }),
  },
  User: {
    // Bounded like a page: an author's whole history in one response was megabytes (issue 13).
    reviews: (user: EntityRef, args: { first?: number | null }, ctx: ReviewsContext) =>
      ctx.loaders.reviewsByAuthorId(pageSize(args.first, DEFAULT_USER_REVIEWS)).load(user.id),
  },
  Product: {
    reviews: async (
      product: EntityRef,
      args: { first?: number | null; after?: string | null },
      ctx: ReviewsContext,
    ) => {
      const size = pageSize(args.first, DEFAULT_PAGE_SIZE);
      const position = args.after ? decodeReviewCursor(args.after) : null;
      const rows = await ctx.loaders.reviewPage(size, position).load(product.id);
      // totalCount is a thunk: the aggregate statement runs only when a client asks for it.
      return toConnection(rows, size, reviewCursor, () =>
        ctx.loaders.reviewStatsByProductId.load(product.id).then((stats) => stats.count),
      );
    },
    reviewCount: async (product: EntityRef, _: unknown, ctx: ReviewsContext) =>
      (await ctx.loaders.reviewStatsByProductId.load(product.id)).count,
    averageRating: async (product: EntityRef, _: unknown, ctx: ReviewsContext) => {
      const stats = await ctx.loaders.reviewStatsByProductId.load(product.id);
      return stats.count === 0 ? null : stats.ratingSum / stats.count;
    },
  },
};
