import { join } from 'node:path';
import { DateTimeScalar, loadTypeDefs, type SubgraphDefinition } from '@storefront/kit';
import { Review } from './entities/review.entity';
import { CreateReviews1732233700000 } from './migrations/1732233700000-create-reviews.migration';
import { createReviewLoaders } from './review.loaders';
import { resolvers, type ReviewsContext } from './review.resolvers';
import { hasData, seed } from './seed';

/** The reviews subgraph: users' ratings of products, and the review fields of User and Product. */
export const reviewsSubgraph: SubgraphDefinition<ReviewsContext> = {
  name: 'reviews',
  typeDefs: loadTypeDefs(join(__dirname, '..', 'src', 'schema.graphql')),
  resolvers: { DateTime: DateTimeScalar, ...resolvers },
  entities: [Review],
  migrations: [CreateReviews1732233700000],
  createContext: (base) => ({ ...base, loaders: createReviewLoaders(base.db) }),
  seed,
  hasData,
};
