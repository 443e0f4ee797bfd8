import type { SubgraphSource } from '../config';
import { buildSourceIndex, locate } from '../source-index';

const sdl = `type Product @key(fields: "id") {
  id: ID!
  price: Int! @external
  shipping(zone: String): Int!
}
enum Zone {
  EU
}`;
const source: SubgraphSource = { name: 'orders', url: 'http://localhost:4004/graphql', schema: 'orders.graphql', owns: [], sdl };

describe('buildSourceIndex', () => {
  const index = buildSourceIndex([source]);

  it('indexes types, fields, arguments and enum values at their lines', () => {
    expect(index.get('Product')).toEqual([{ file: 'orders.graphql', line: 1, subgraph: 'orders' }]);
    expect(index.get('Product.shipping.zone')).toEqual([{ file: 'orders.graphql', line: 4, subgraph: 'orders' }]);
    expect(index.get('Zone.EU')).toEqual([{ file: 'orders.graphql', line: 7, subgraph: 'orders' }]);
  });

  it('does not count an @external field as a definition', () => {
    expect(index.get('Product.price')).toBeUndefined();
  });

  it('locates a coordinate through its nearest indexed parent', () => {
    expect(locate(index, 'Product.removed')).toEqual(index.get('Product'));
    expect(locate(index, 'Unknown.field')).toEqual([]);
  });
});
