// The realistic inputs of the security part (security-costs.mjs): for each of the benchmark's
// requests, the subgraph fetches our router makes for it, with the bodies it signs. The plan is
// the one @apollo/gateway builds (the gateway our router runs), executed in this process against
// the stand-ins' schemas (each subgraph's own SDL) and canned data (the large seed plan), so
// every fetch, its representations and its size are those of a real run; each body is built the
// way the router's subgraph client builds it (router/src/subgraph-client.ts), representations
// deduplicated as with ENTITY_DEDUPE on (the default).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse } from 'graphql';
import { SUBGRAPHS } from './paths.mjs';
import { buildCatalogue } from './standins/data.mjs';
import { RESOLVERS } from './standins/resolvers.mjs';

/**
 * @typedef {{ subgraph: string, body: string }} Fetch
 * @typedef {{ caller: { userId: string, roles: string[], scopes: string[] } | null }} Context
 */

/**
 * The fetches of each request, by query id, with the answer's data (the authorization restore
 * walks it). Requests are sent one at a time, in the order given.
 * @param {{ root: string, supergraphSdl: string, kit: any, requests: { id: string, query: string, operationName: string, variables?: Record<string, unknown>, caller: Context['caller'] }[] }} options
 * @returns {Promise<Map<string, { fetches: Fetch[], data: unknown }>>}
 */
export async function captureFetches({ root, supergraphSdl, kit, requests }) {
  const { dedupeRepresentations } = await import(pathToFileURL(join(root, 'router', 'dist', 'entity-dedupe.js')).href);
  const { supergraphForGateway } = await import(pathToFileURL(join(root, 'router', 'dist', 'supergraph.js')).href);
  const data = buildCatalogue(kit.SEED_PLANS.large);
  /** @type {Fetch[]} */
  let fetches = [];
  const schemas = new Map(
    SUBGRAPHS.map((name) => [
      name,
      buildSubgraphSchema([{ typeDefs: parse(readFileSync(join(root, 'subgraphs', name, 'src', 'schema.graphql'), 'utf8')), resolvers: /** @type {never} */ (RESOLVERS[name](data)) }]),
    ]),
  );
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: supergraphForGateway(supergraphSdl),
    buildService: ({ name }) => ({
      /** @param {import('@apollo/gateway').GraphQLDataSourceProcessOptions<Context>} options */
      async process({ request, context }) {
        const deduped = dedupeRepresentations(request.variables);
        fetches.push({
          subgraph: name,
          body: JSON.stringify({
            query: request.query,
            variables: deduped ? { ...request.variables, representations: deduped.unique } : request.variables,
            operationName: request.operationName,
            extensions: request.extensions,
          }),
        });
        const result = await execute({
          schema: /** @type {import('graphql').GraphQLSchema} */ (schemas.get(/** @type {never} */ (name))),
          document: parse(request.query ?? ''),
          variableValues: request.variables,
          contextValue: { caller: context?.caller ?? null },
        });
        return /** @type {never} */ (JSON.parse(JSON.stringify(result)));
      },
    }),
  });
  /** @type {ApolloServer<Context>} */
  const server = new ApolloServer({ gateway, stopOnTerminationSignals: false });
  await server.start();
  /** @type {Map<string, { fetches: Fetch[], data: unknown }>} */
  const captured = new Map();
  try {
    for (const request of requests) {
      fetches = [];
      const response = await server.executeOperation(
        { query: request.query, operationName: request.operationName, variables: request.variables },
        { contextValue: { caller: request.caller } },
      );
      const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
      if (!body || body.errors?.length) throw new Error(`(${request.id}) failed in the gateway: ${JSON.stringify(body?.errors ?? 'no single result')}`);
      captured.set(request.id, { fetches, data: body.data });
    }
  } finally {
    await server.stop();
  }
  return captured;
}
