import { join } from 'node:path';
import { DateTimeScalar, loadTypeDefs, type SubgraphDefinition } from '@storefront/kit';
import { Product } from './entities/product.entity';
import { CreateProducts1732233600000 } from './migrations/1732233600000-create-products.migration';
import { createProductLoaders } from './product.loaders';
import { resolvers, type ProductsContext } from './product.resolvers';
import { hasData, seed } from './seed';

/** The products subgraph: the catalogue, its prices and stock. */
export const productsSubgraph: SubgraphDefinition<ProductsContext> = {
  name: 'products',
  typeDefs: loadTypeDefs(join(__dirname, '..', 'src', 'schema.graphql')),
  resolvers: { DateTime: DateTimeScalar, ...resolvers },
  entities: [Product],
  migrations: [CreateProducts1732233600000],
  createContext: (base) => ({ ...base, loaders: createProductLoaders(base.db) }),
  seed,
  hasData,
};
