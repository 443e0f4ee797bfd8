import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLDataSource } from '@apollo/gateway';
import { execute, getOperationAST, GraphQLError, parse, type GraphQLSchema } from 'graphql';
import { createExecutor } from '../execution/execute';
import { SupergraphPlans } from '../execution/query-plans';
import { compileShape } from '../execution/shape-compile';
import { shapeResponse } from '../execution/shape';

/** Two subgraphs with an interface, a union and an entity whose field lives in the second. */
const CATALOG = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])
  interface Media { id: ID! title: String! }
  type Book implements Media @key(fields: "id") { id: ID! title: String! pages: Int }
  type Movie implements Media @key(fields: "id") { id: ID! title: String! minutes: Int }
  union SearchResult = Book | Movie
  type Query { search: [SearchResult!]! media: [Media] }`;
const RATINGS = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Book @key(fields: "id") { id: ID! stars: Int! }`;

const ITEMS = [
  { __typename: 'Book', id: 'b1', title: 'Dune', pages: 412 },
  { __typename: 'Movie', id: 'm1', title: 'Alien', minutes: 117 },
  { __typename: 'Book', id: 'b2', title: 'Emma', pages: 474 },
];

interface Behaviour {
  /** Stars by book id; a missing id answers null in the non-null field. */
  stars: Record<string, number>;
  /** Book ids whose `_entities` entry fails with an error. */
  failing?: string[];
}

function services(behaviour: Behaviour) {
  const catalog = buildSubgraphSchema([
    {
      typeDefs: parse(CATALOG),
      resolvers: {
        Query: { search: () => ITEMS, media: () => ITEMS },
        SearchResult: { __resolveType: (o: { __typename: string }) => o.__typename },
        Media: { __resolveType: (o: { __typename: string }) => o.__typename },
      } as never,
    },
  ]);
  const ratings = buildSubgraphSchema([
    {
      typeDefs: parse(RATINGS),
      resolvers: {
        Book: {
          __resolveReference: (ref: { id: string }) => ({ id: ref.id, stars: behaviour.stars[ref.id] ?? null }),
          stars: (book: { id: string; stars: number | null }) => {
            if (behaviour.failing?.includes(book.id)) throw new Error(`no rating for ${book.id}`);
            return book.stars;
          },
        },
      } as never,
    },
  ]);
  const calls: string[] = [];
  const over = (name: string, schema: GraphQLSchema): GraphQLDataSource => ({
    process: async ({ request }) => {
      calls.push(name);
      const result = await execute({ schema, document: parse(request.query!), variableValues: request.variables });
      return JSON.parse(JSON.stringify(result)) as never;
    },
  });
  return { sources: { catalog: over('catalog', catalog), ratings: over('ratings', ratings) }, calls };
}

const composed = composeServices([
  { name: 'catalog', url: 'http://catalog', typeDefs: parse(CATALOG) },
  { name: 'ratings', url: 'http://ratings', typeDefs: parse(RATINGS) },
]);
if (composed.errors || !composed.supergraphSdl) throw new Error((composed.errors ?? []).map((e) => e.message).join('\n'));
const supergraphSdl: string = composed.supergraphSdl;
const apiSchema = composed.schema.toAPISchema().toGraphQLJSSchema();

async function run(query: string, behaviour: Behaviour, variables: Record<string, unknown> = {}) {
  const plans = new SupergraphPlans(supergraphSdl, { cacheBytes: 10_000_000 });
  const { sources, calls } = services(behaviour);
  const document = parse(query);
  const executor = createExecutor({ plan: () => plans.plan(query, document, undefined, apiSchema), services: () => sources });
  const result = await executor({ request: { query, variables }, document, operation: getOperationAST(document)!, schema: apiSchema } as never);
  return { result: JSON.parse(JSON.stringify(result)) as { data?: unknown; errors?: { message: string; path?: unknown[]; extensions?: { code?: string } }[]; extensions?: Record<string, unknown> }, calls };
}

describe('our executor', () => {
  it('shapes unions, interfaces, aliases and __typename, with one fetch per subgraph', async () => {
    const { result, calls } = await run(
      `{ search { __typename ... on Book { name: title stars } ... on Media { id } } media { kind: __typename title } }`,
      { stars: { b1: 5, b2: 3 } },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      search: [
        { __typename: 'Book', name: 'Dune', stars: 5, id: 'b1' },
        { __typename: 'Movie', id: 'm1' },
        { __typename: 'Book', name: 'Emma', stars: 3, id: 'b2' },
      ],
      media: [
        { kind: 'Book', title: 'Dune' },
        { kind: 'Movie', title: 'Alien' },
        { kind: 'Book', title: 'Emma' },
      ],
    });
    // The key order of a response follows the document.
    expect(Object.keys((result.data as { search: object[] }).search[0]!)).toEqual(['__typename', 'name', 'stars', 'id']);
    expect(calls.sort()).toEqual(['catalog', 'ratings']);
  });

  it("throws what the planner throws: a valid operation it cannot plan is the router's fault (a 500), as with the stock executor", async () => {
    const query = '{ search { __typename } }';
    const document = parse(query);
    const failure = new GraphQLError('Cannot plan this');
    const executor = createExecutor({
      plan: () => {
        throw failure;
      },
      services: () => services({ stars: {} }).sources,
    });
    await expect(executor({ request: { query, variables: {} }, document, operation: getOperationAST(document)!, schema: apiSchema } as never)).rejects.toBe(failure);
  });

  it('nulls a non-null violation up to the nearest nullable parent and says where', async () => {
    // The ratings subgraph answers `stars: null` for b2 inside an otherwise fine answer.
    const entityAnswer = { data: { _entities: [{ stars: 5 }, { stars: null }] } };
    const plans = new SupergraphPlans(supergraphSdl, { cacheBytes: 10_000_000 });
    const query = `{ search { ... on Book { title stars } } }`;
    const document = parse(query);
    const { sources } = services({ stars: {} });
    const executor = createExecutor({
      plan: () => plans.plan(query, document, undefined, apiSchema),
      services: () => ({ ...sources, ratings: { process: async () => entityAnswer as never } }),
    });
    const result = await executor({ request: { query, variables: {} }, document, operation: getOperationAST(document)!, schema: apiSchema } as never);
    // search is [SearchResult!]!: the null climbs through the list to the root.
    expect(result.data).toBeNull();
    expect(JSON.parse(JSON.stringify(result.extensions?.valueCompletion))).toEqual([
      expect.objectContaining({ message: 'Cannot return null for non-nullable field Book.stars.', path: ['search', 2, 'stars'] }),
    ]);
  });

  it("puts a subgraph's entity error at the entity's place in the response, with the service's name", async () => {
    const { result } = await run(`{ media { title ... on Book { stars } } }`, { stars: { b1: 5, b2: 3 }, failing: ['b2'] });
    expect(result.errors).toEqual([
      expect.objectContaining({ message: 'no rating for b2', path: ['media', 2, 'stars'], extensions: expect.objectContaining({ serviceName: 'ratings' }) }),
    ]);
    expect(result.data).toEqual({ media: [{ title: 'Dune', stars: 5 }, { title: 'Alien' }, null] });
  });

  it('honours @skip and @include on variables, in the plan and in the shaping', async () => {
    const query = `query ($stars: Boolean!, $title: Boolean = false) { media { title @include(if: $title) ... on Book @include(if: $stars) { stars } } }`;
    const off = await run(query, { stars: { b1: 5, b2: 3 } }, { stars: false });
    expect(off.calls).toEqual(['catalog']);
    expect(off.result.data).toEqual({ media: [{}, {}, {}] });
    const on = await run(query, { stars: { b1: 5, b2: 3 } }, { stars: true, title: true });
    expect(on.result.data).toEqual({ media: [{ title: 'Dune', stars: 5 }, { title: 'Alien' }, { title: 'Emma', stars: 3 }] });
  });

  it('shapes a doubling fragment document in work linear in its size', () => {
    const visitsAt = (levels: number) => {
      const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join('\n');
      const document = parse(`query { ...F0 }\n${fragments}\nfragment F${levels} on Query { __typename }`);
      const program = compileShape(apiSchema, document, getOperationAST(document)!);
      const shaped = shapeResponse(program, {}, {}, apiSchema);
      expect(shaped.data).toEqual({ __typename: 'Query' });
      return shaped.visits;
    };
    const small = visitsAt(10);
    const large = visitsAt(40);
    // Two spreads and one field per level: at most three steps a level, whatever the doubling.
    expect(large).toBeLessThanOrEqual(3 * 40 + 2);
    expect(large / small).toBeLessThan(5);
  });
});
