import { join } from 'node:path';
import { DateTimeScalar, dataDir, loadTypeDefs, serviceSecret, type SubgraphDefinition } from '@storefront/kit';
import { Review } from './entities/review.entity';
import { productsLookupEnvSchema } from './env';
import { CreateReviews1732233700000 } from './migrations/1732233700000-create-reviews.migration';
import { ProductsClient } from './products.client';
import { createReviewLoaders } from './review.loaders';
import { resolvers, type ReviewsContext } from './review.resolvers';
import { hasData, seed } from './seed';

/** What every request of a running reviews subgraph shares. */
interface ReviewsServices {
  products: ProductsClient;
}

/** The reviews subgraph: users' ratings of products, and the review fields of User and Product. */
export const reviewsSubgraph: SubgraphDefinition<ReviewsContext, ReviewsServices> = {
  name: 'reviews',
  typeDefs: loadTypeDefs(join(__dirname, '..', 'src', 'schema.graphql')),
  resolvers: { DateTime: DateTimeScalar, ...resolvers },
  entities: [Review],
  migrations: [CreateReviews1732233700000],
  // addReview asks products whether the product exists; only that mutation calls it, so reads of
  // reviews keep working while products is down.
  setup: ({ env }) => {
    const settings = productsLookupEnvSchema.parse(env);
    const secret = serviceSecret(env, dataDir(env.DATA_DIR));
    return { services: { products: new ProductsClient(settings.PRODUCTS_SERVICE_URL, secret, settings.PRODUCTS_TIMEOUT_MS) } };
  },
  createContext: (base, { products }) => ({ ...base, loaders: createReviewLoaders(base.db), products }),
  seed,
  hasData,
};
