import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLDataSource } from '@apollo/gateway';
import { execute, getOperationAST, parse } from 'graphql';
import { createExecutor } from '../src/execution/execute';
import { SupergraphPlans } from '../src/execution/query-plans';
import type { Answer } from './differential/compare';
import { interfaceObjectFixture } from './differential/fixtures/interface-object';
import { interfaceTypenameDifference } from './differential/known-differences';

/**
 * An `@interfaceObject` subgraph answers `_entities` with the interface as `__typename`. Merged
 * as it comes, that name would replace the concrete type the owning subgraph gave, and a fragment
 * on the concrete type would no longer apply: the stock executor answers `{ product: {} }` here.
 */
it('keeps the concrete __typename when an @interfaceObject subgraph answers with its interface', async () => {
  const composed = composeServices(interfaceObjectFixture.subgraphs.map((s) => ({ name: s.name, url: `http://${s.name}`, typeDefs: s.typeDefs })));
  if (!composed.schema || !composed.supergraphSdl) throw new Error('the fixture does not compose');
  const api = composed.schema.toAPISchema().toGraphQLJSSchema();
  const plans = new SupergraphPlans(composed.supergraphSdl, { cacheBytes: 10_000_000 });
  const services: Record<string, GraphQLDataSource> = Object.fromEntries(
    interfaceObjectFixture.subgraphs.map((s) => {
      const schema = buildSubgraphSchema([{ typeDefs: s.typeDefs, resolvers: s.resolvers as never }]);
      const source: GraphQLDataSource = {
        process: async ({ request }) =>
          JSON.parse(JSON.stringify(await execute({ schema, document: parse(request.query!), variableValues: request.variables }))) as never,
      };
      return [s.name, source];
    }),
  );
  const query = `{ product(id: "f2") { ... on Furniture { ... on Product { __typename inStock } } } }`;
  const document = parse(query);
  const executor = createExecutor({ plan: () => plans.plan(query, document, undefined, api), services: () => services });
  const result = await executor({ request: { query, variables: {} }, document, operation: getOperationAST(document)!, schema: api } as never);
  expect(result.errors).toBeUndefined();
  expect(result.data).toEqual({ product: { __typename: 'Furniture', inStock: true } });
});

describe('the differential test recognises that difference and nothing near it', () => {
  const interfaces = { Product: ['Book', 'Furniture'] };
  const answer = (data: unknown, errors?: { message: string; path: (string | number)[] }[]): Answer => ({ status: 200, body: { data, errors } });
  const nonNull = (type: string) => ({ message: `Cannot return null for non-nullable field ${type}.title.`, path: ['product', 'title'] });

  it('recognises fields the stock executor dropped, a null it never saw, and an object it nulled', () => {
    const stock = answer({ product: {}, list: [{ id: 'a' }], typed: null });
    const ours = answer({ product: { __typename: 'Furniture', inStock: true }, list: [{ id: 'a', price: 1 }], typed: { __typename: 'Book' } });
    expect(interfaceTypenameDifference(ours, stock, interfaces)).toMatch(/^interface __typename/);
    expect(interfaceTypenameDifference(answer({ product: null }, [nonNull('Furniture')]), answer({ product: null }, [nonNull('Product')]), interfaces)).toMatch(/^interface __typename/);
    expect(interfaceTypenameDifference(answer({ product: null }, [{ ...nonNull('Book'), path: ['product', 'more'] }]), answer({ product: { id: 'b1' } }), interfaces)).toMatch(/^interface __typename/);
    expect(interfaceTypenameDifference(answer({ list: [null] }, [{ ...nonNull('Book'), path: ['list', 0, 'title'] }]), answer({ list: [null] }), interfaces)).toMatch(/^interface __typename/);
  });

  it('refuses a missing field, another value, an error where the stock answer has a value, and a stock-only error', () => {
    expect(interfaceTypenameDifference(answer({ product: {} }), answer({ product: { id: 'f2' } }), interfaces)).toBeUndefined();
    expect(interfaceTypenameDifference(answer({ product: { id: 'f3', price: 1 } }), answer({ product: { id: 'f2' } }), interfaces)).toBeUndefined();
    expect(interfaceTypenameDifference(answer({ product: null }, [nonNull('Furniture')]), answer({ product: { title: 'Desk' } }), interfaces)).toBeUndefined();
    expect(interfaceTypenameDifference(answer({ product: { id: 'f2', price: 1 } }), answer({ product: { id: 'f2' } }, [nonNull('Product')]), interfaces)).toBeUndefined();
    expect(interfaceTypenameDifference(answer({ product: { id: 'f2' } }), answer({ product: null }), interfaces)).toBeUndefined();
    const failed = { message: 'Injected failure', path: ['list', 0] };
    expect(interfaceTypenameDifference(answer({ list: [null] }, [failed, { ...nonNull('Book'), path: ['list', 0, 'title'] }]), answer({ list: [null] }, [failed]), interfaces)).toBeUndefined();
    expect(interfaceTypenameDifference(answer({ product: null }, [nonNull('Order')]), answer({ product: null }, [nonNull('Product')]), interfaces)).toBeUndefined();
  });
});
