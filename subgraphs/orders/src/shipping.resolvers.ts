import type { GraphQLResolverMap } from '@apollo/subgraph';
import type { BaseContext } from '@storefront/kit';
import { shippingEstimate, type Money } from './shipping';

/** A Product as the router hands it over: its key plus the fields `@requires` asks for. */
interface ProductRepresentation {
  id: string;
  price?: Money;
  weightGrams?: number;
}

export const shippingResolvers: GraphQLResolverMap<BaseContext> = {
  Product: {
    // No __resolveReference: the representation already holds everything; no SQL is involved.
    shippingEstimate: (product: ProductRepresentation) => {
      if (!product.price || product.weightGrams == null) {
        // Only a caller bypassing the router's query plan can get here: a bug, not bad user input.
        throw new Error(`Product ${product.id} came without the price and weightGrams that @requires asks for`);
      }
      return shippingEstimate(product.price, product.weightGrams);
    },
  },
};
