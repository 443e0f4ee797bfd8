import { buildSchema, parse } from 'graphql';
import { parseOperationFile } from '../../operations';
import { operationUsage } from '../operation-usage';

const schema = buildSchema(`
  type Query { product(id: ID!): Product }
  type Mutation { placeOrder(input: PlaceOrderInput!): Order! }
  type Product { id: ID! name: String! price: Money! }
  type Money { amountCents: Int! }
  type Order { id: ID! status: OrderStatus! }
  enum OrderStatus { PENDING FAILED }
  input PlaceOrderInput { items: [ItemInput!]! note: String }
  input ItemInput { productId: ID! quantity: Int! }
`);

function usageOf(text: string, schemas = [schema]) {
  const file = parseOperationFile('ops.graphql', text);
  if (!('document' in file)) throw new Error(file.message);
  return operationUsage([file], schemas);
}

describe('operationUsage', () => {
  it('collects the fields an operation selects, through fragments, with their parent types', () => {
    const [usage] = usageOf('query P($id: ID!) { product(id: $id) { ...Details } }\nfragment Details on Product { name price { amountCents } }');
    expect([...usage!.coordinates].sort()).toEqual(['ID', 'Int', 'Money', 'Money.amountCents', 'Product', 'Product.name', 'Product.price', 'Query', 'Query.product', 'Query.product.id', 'String'].sort());
    expect(usage!.operation).toEqual({ name: 'P', file: 'ops.graphql', line: 1 });
  });

  it('counts every field of an input object passed through a variable, and every value of an enum received', () => {
    const [usage] = usageOf('mutation Buy($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }');
    expect(usage!.coordinates).toEqual(expect.any(Set));
    for (const coordinate of ['PlaceOrderInput', 'PlaceOrderInput.note', 'ItemInput.quantity', 'OrderStatus', 'OrderStatus.FAILED']) {
      expect(usage!.coordinates.has(coordinate)).toBe(true);
    }
  });

  it('keeps what sits under a field the new schema no longer has, by reading against the baseline too', () => {
    const next = buildSchema('type Query { item(id: ID!): Item } type Item { id: ID! }');
    const [onlyNext] = usageOf('query P { product(id: "1") { name } }', [next]);
    const [both] = usageOf('query P { product(id: "1") { name } }', [schema, next]);
    expect(onlyNext!.coordinates.has('Product.name')).toBe(false);
    expect(both!.coordinates.has('Product.name')).toBe(true);
  });

  it('gives one usage per operation of a file, each with its own line', () => {
    const usages = usageOf('query A { product(id: "1") { id } }\n\nquery B { product(id: "2") { name } }');
    expect(usages.map((u) => [u.operation.name, u.operation.line, u.coordinates.has('Product.name')])).toEqual([
      ['A', 1, false],
      ['B', 3, true],
    ]);
  });

  it('parses nothing it cannot: a syntax error is a finding with the line', () => {
    expect(parseOperationFile('bad.graphql', 'query {\n  product(\n}')).toEqual(expect.objectContaining({ code: 'INVALID_GRAPHQL', locations: [{ file: 'bad.graphql', line: 3 }] }));
    expect(parse).toBeDefined();
  });
});
