import { buildSchema } from 'graphql';
import { affectedCoordinate, classifyChanges, withoutAdditionDetails, type SchemaChange } from '../classify-changes';

const BASE = `
type Query { product(id: ID!): Product  products(first: Int): [Product!]! }
type Mutation { createProduct(input: CreateProductInput!): Product! }
"A product." type Product { id: ID! name: String! price: Int! status: Status! }
enum Status { ACTIVE RETIRED HIDDEN }
input CreateProductInput { name: String! description: String }
union SearchResult = Product
`;

async function levels(next: string) {
  const changes = await classifyChanges(buildSchema(BASE), buildSchema(next));
  return changes.map((c) => `${c.level} ${c.kind} ${c.coordinate}`);
}

describe('classifyChanges', () => {
  it('classifies each kind of breaking change the check must catch', async () => {
    const next = `
      type Query { product(id: ID!, currency: String!): Product  products(first: Int): [Product!]! }
      type Mutation { createProduct(input: CreateProductInput!): Product! }
      "A product." type Product { id: ID! price: Float! status: Status! }
      enum Status { ACTIVE RETIRED }
      input CreateProductInput { name: String! description: String! sku: String! }
    `;
    expect(await levels(next)).toEqual(
      expect.arrayContaining([
        'breaking TYPE_REMOVED SearchResult',
        'breaking FIELD_ARGUMENT_ADDED Query.product.currency',
        'breaking FIELD_REMOVED Product.name',
        'breaking FIELD_TYPE_CHANGED Product.price',
        'breaking ENUM_VALUE_REMOVED Status.HIDDEN',
        'breaking INPUT_FIELD_TYPE_CHANGED CreateProductInput.description',
        'breaking INPUT_FIELD_ADDED CreateProductInput.sku',
      ]),
    );
  });

  it('classifies additions as dangerous or safe, breaking first', async () => {
    const next = BASE.replace('ACTIVE RETIRED HIDDEN', 'ACTIVE RETIRED HIDDEN DRAFT')
      .replace('products(first: Int)', 'products(first: Int, after: String)')
      .replace('status: Status!', 'status: Status!\n "Colour." colour: String')
      .replace('price: Int!', 'price: Int');
    expect(await levels(next)).toEqual([
      'breaking FIELD_TYPE_CHANGED Product.price',
      'dangerous FIELD_ARGUMENT_ADDED Query.products.after',
      'dangerous ENUM_VALUE_ADDED Status.DRAFT',
      'safe FIELD_ADDED Product.colour',
    ]);
  });

  it('counts a directive that is no longer repeatable as breaking, as graphql-js does', async () => {
    const withDirective = (repeatable: string) => buildSchema(`directive @tag(name: String) ${repeatable} on FIELD\ntype Query { a: Int }`);
    const changes = await classifyChanges(withDirective('repeatable'), withDirective(''));
    expect(changes.map((c) => `${c.level} ${c.kind}`)).toEqual(['breaking DIRECTIVE_REPEATABLE_REMOVED']);
  });

  it('lists nothing for an identical schema', async () => {
    expect(await levels(BASE)).toEqual([]);
  });
});

describe('withoutAdditionDetails', () => {
  const change = (kind: string, coordinate: string, level: SchemaChange['level'] = 'safe'): SchemaChange => ({ kind, coordinate, level, message: kind });

  it('folds the description of an added field into the addition, but never drops a breaking change', () => {
    const changes = [change('FIELD_ADDED', 'Product.colour'), change('FIELD_DESCRIPTION_ADDED', 'Product.colour'), change('TYPE_ADDED', 'Colour'), change('FIELD_TYPE_CHANGED', 'Colour.hex', 'breaking'), change('TYPE_DESCRIPTION_ADDED', 'Product')];
    expect(withoutAdditionDetails(changes).map((c) => c.kind)).toEqual(['FIELD_ADDED', 'TYPE_ADDED', 'FIELD_TYPE_CHANGED', 'TYPE_DESCRIPTION_ADDED']);
  });
});

describe('affectedCoordinate', () => {
  it.each([
    ['FIELD_REMOVED', 'Product.name', 'Product.name'],
    ['FIELD_ARGUMENT_ADDED', 'Query.products.currency', 'Query.products'],
    ['FIELD_ARGUMENT_TYPE_CHANGED', 'Query.products.first', 'Query.products'],
    ['FIELD_ARGUMENT_REMOVED', 'Query.products.search', 'Query.products.search'],
    ['ENUM_VALUE_REMOVED', 'OrderStatus.FAILED', 'OrderStatus'],
    ['INPUT_FIELD_TYPE_CHANGED', 'CreateProductInput.description', 'CreateProductInput'],
    ['TYPE_REMOVED', 'SearchResult', 'SearchResult'],
    ['DIRECTIVE_REMOVED', '@defer', '@defer'],
    ['DIRECTIVE_ARGUMENT_ADDED', '@tag', '@tag'],
    ['DIRECTIVE_USAGE_INPUT_OBJECT_ADDED', 'PlaceOrderInput.@oneOf', 'PlaceOrderInput'],
    ['DIRECTIVE_USAGE_FIELD_DEFINITION_ADDED', 'Query.product.@deprecated', 'Query.product'],
    ['FIELD_DEPRECATION_ADDED', 'Query.product.@deprecated', 'Query.product'],
  ])('maps %s at %s to operations that use %s', (kind, path, expected) => {
    expect(affectedCoordinate(kind, path)).toBe(expected);
  });

  it('leaves a change without a path untraceable', () => {
    expect(affectedCoordinate('SCHEMA_QUERY_TYPE_CHANGED', undefined)).toBeUndefined();
  });
});
