import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import { execute, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { startFaultServer, type FaultServer } from './fault-server';
import type { InterfaceObjects } from './known-differences';

/** One subgraph of a foreign supergraph: SDL, resolvers over fixed data, and the keys faults aim at. */
export interface FixtureSubgraph {
  name: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<unknown>;
  /** Response keys of this subgraph's answers that `error` and `null` faults may hit. */
  faultKeys: readonly string[];
}

export interface Fixture {
  name: string;
  subgraphs: readonly FixtureSubgraph[];
  /** Argument values that find data (see GeneratorOptions.samples). */
  samples: Readonly<Record<string, readonly unknown[]>>;
  /** A query that reaches every subgraph, so each fault is seen to hit. */
  probe: string;
  /** Entity interfaces a subgraph extends as an `@interfaceObject`, with their implementations (see `interfaceTypenameDifference`). */
  interfaceObjects?: InterfaceObjects;
}

export interface FixtureGraph {
  fixture: Fixture;
  servers: Record<string, FaultServer>;
  /** The composed supergraph, written for SUPERGRAPH_PATH. */
  supergraphPath: string;
  /** The routers' `<name>` → URL overrides: the fixture servers. */
  urls: Record<string, string>;
  close(): Promise<void>;
}

/** Executes what the router sends, as a subgraph server does: `{query, variables, operationName}` in, JSON out. */
function executor(schema: GraphQLSchema) {
  return async (body: string) => {
    const { query, variables, operationName } = JSON.parse(body) as { query: string; variables?: Record<string, unknown>; operationName?: string };
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      return { status: 400, body: JSON.stringify({ errors: [{ message: (error as Error).message }] }) };
    }
    const invalid = validate(schema, document);
    if (invalid.length) return { status: 400, body: JSON.stringify({ errors: invalid.map((e) => e.toJSON()) }) };
    const result = await execute({ schema, document, variableValues: variables, operationName, contextValue: {} });
    return { status: 200, body: JSON.stringify(result) };
  };
}

/** Starts the fixture's subgraphs on port 0 and composes their supergraph with their real URLs. */
export async function startFixtureGraph(fixture: Fixture): Promise<FixtureGraph> {
  const list = await Promise.all(
    fixture.subgraphs.map((s) => startFaultServer(s.name, executor(buildSubgraphSchema([{ typeDefs: s.typeDefs, resolvers: s.resolvers }])))),
  );
  const servers = Object.fromEntries(list.map((s) => [s.name, s]));
  const composed = composeServices(fixture.subgraphs.map((s) => ({ name: s.name, typeDefs: s.typeDefs, url: servers[s.name]!.url })));
  if (composed.errors) {
    await Promise.all(list.map((s) => s.close()));
    throw new Error(`${fixture.name} does not compose:\n${composed.errors.map((e) => e.message).join('\n')}`);
  }
  const dir = mkdtempSync(join(tmpdir(), `differential-${fixture.name}-`));
  const supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphPath, composed.supergraphSdl);
  return {
    fixture,
    servers,
    supergraphPath,
    urls: Object.fromEntries(list.map((s) => [s.name, s.url])),
    async close() {
      await Promise.all(list.map((s) => s.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
