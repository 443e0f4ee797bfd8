import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLDataSource } from '@apollo/gateway';
import { execute, getOperationAST, parse } from 'graphql';
import { createExecutor } from '../src/execution/execute';
import { SupergraphPlans } from '../src/execution/query-plans';
import { interfaceObjectFixture } from './differential/fixtures/interface-object';

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
