import { join } from 'node:path';
import { DateTimeScalar, loadTypeDefs, type SubgraphDefinition } from '@storefront/kit';
import { Product } from './entities/product.entity';
import { Reservation } from './entities/reservation.entity';
import { reservationEnvSchema } from './env';
import { CreateProducts1732233600000 } from './migrations/1732233600000-create-products.migration';
import { CreateReservations1732320000000 } from './migrations/1732320000000-create-reservations.migration';
import { createProductLoaders } from './product.loaders';
import { resolvers, type ProductsContext } from './product.resolvers';
import { productLookupRoutes } from './product-lookup.routes';
import { reservationRoutes } from './reservation.routes';
import { startReservationSweeper } from './reservation.sweeper';
import { hasData, seed } from './seed';

/** The products subgraph: the catalogue, its prices and stock, and stock reservations for checkout. */
export const productsSubgraph: SubgraphDefinition<ProductsContext> = {
  name: 'products',
  typeDefs: loadTypeDefs(join(__dirname, '..', 'src', 'schema.graphql')),
  resolvers: { DateTime: DateTimeScalar, ...resolvers },
  entities: [Product, Reservation],
  migrations: [CreateProducts1732233600000, CreateReservations1732320000000],
  createContext: (base) => ({ ...base, loaders: createProductLoaders(base.db) }),
  seed,
  hasData,
  // The signed service APIs beside /graphql (reservations for orders, the product lookup for
  // reviews) and the reservations' expiry sweeper.
  setup: ({ db, log, env, jobs }) => {
    const settings = reservationEnvSchema.parse(env);
    startReservationSweeper(jobs, log, settings.RESERVATION_SWEEP_SECONDS * 1000);
    return {
      services: undefined,
      routes: {
        ...reservationRoutes({
          db,
          ttlSeconds: settings.RESERVATION_TTL_SECONDS,
          bodyLimitBytes: env.BODY_LIMIT_BYTES,
        }),
        // Whether products exist, for reviews' addReview (signed, see product-lookup.routes.ts).
        ...productLookupRoutes({ db, bodyLimitBytes: env.BODY_LIMIT_BYTES }),
      },
    };
  },
};
