import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config';
import { CODEGEN_CONFIG_FILE } from '../paths';

/** Resolver types for one subgraph, from its own SDL (not the supergraph). */
export interface ResolverTarget {
  subgraph: string;
  /** The generated file, relative to the repository root. */
  output: string;
  /** `path#Type` of the resolvers' context, relative to the generated file. */
  contextType?: string;
  /** GraphQL type → the TypeScript type its resolvers receive as parent (an entity class, a reference). */
  mappers: Record<string, string>;
}

/** Typed documents for every operation in `schema/operations`, against the public API schema. */
export interface OperationsTarget {
  output: string;
}

export interface CodegenConfig {
  resolvers: ResolverTarget[];
  operations?: OperationsTarget;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A path inside the repository: relative, no `..`, a .ts file. */
const isTsFile = (value: unknown): value is string =>
  typeof value === 'string' && /^[\w./-]+\.ts$/.test(value) && !value.startsWith('/') && !value.split('/').includes('..');

function parseResolverTarget(subgraph: string, entry: unknown, known: readonly string[], problems: string[]): ResolverTarget | undefined {
  const at = `resolvers.${subgraph}`;
  if (!known.includes(subgraph)) problems.push(`${at}: "${subgraph}" is not a subgraph of schema/subgraphs.json`);
  if (!isRecord(entry)) {
    problems.push(`${at} must be an object`);
    return undefined;
  }
  const { output, contextType, mappers = {} } = entry;
  const before = problems.length;
  if (!isTsFile(output)) problems.push(`${at}.output must be a relative path of a .ts file, got ${JSON.stringify(output)}`);
  if (contextType !== undefined && (typeof contextType !== 'string' || !contextType.includes('#'))) {
    problems.push(`${at}.contextType must be "path#Type", got ${JSON.stringify(contextType)}`);
  }
  if (!isRecord(mappers) || Object.values(mappers).some((m) => typeof m !== 'string' || m === '')) {
    problems.push(`${at}.mappers must map type names to TypeScript types ("path#Type" or a type expression)`);
  }
  if (problems.length > before) return undefined;
  return { subgraph, output: output as string, contextType: contextType as string | undefined, mappers: mappers as Record<string, string> };
}

/** Validates the codegen config's JSON against the configured subgraph names, listing every problem at once. */
export function parseCodegenConfig(json: unknown, subgraphNames: readonly string[]): CodegenConfig {
  const problems: string[] = [];
  if (!isRecord(json)) throw new ConfigError(['the config must be a JSON object'], CODEGEN_CONFIG_FILE);
  const { resolvers = {}, operations } = json;
  let targets: ResolverTarget[] = [];
  if (!isRecord(resolvers)) problems.push('"resolvers" must be an object keyed by subgraph name');
  else targets = Object.entries(resolvers).flatMap(([name, entry]) => parseResolverTarget(name, entry, subgraphNames, problems) ?? []);
  let operationsTarget: OperationsTarget | undefined;
  if (operations !== undefined) {
    if (!isRecord(operations) || !isTsFile(operations.output)) problems.push('"operations.output" must be a relative path of a .ts file');
    else operationsTarget = { output: operations.output };
  }
  const outputs = [...targets.map((t) => t.output), ...(operationsTarget ? [operationsTarget.output] : [])];
  for (const output of new Set(outputs)) {
    if (outputs.filter((o) => o === output).length > 1) problems.push(`${output} is the output of more than one target`);
  }
  if (problems.length > 0) throw new ConfigError(problems, CODEGEN_CONFIG_FILE);
  return { resolvers: targets, operations: operationsTarget };
}

/** The codegen config, or undefined when the repository has none (nothing is generated then). */
export function loadCodegenConfig(root: string, subgraphNames: readonly string[]): CodegenConfig | undefined {
  let text: string;
  try {
    text = readFileSync(join(root, CODEGEN_CONFIG_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError([`cannot read it: ${(error as Error).message}`], CODEGEN_CONFIG_FILE);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`not valid JSON: ${(error as Error).message}`], CODEGEN_CONFIG_FILE);
  }
  return parseCodegenConfig(json, subgraphNames);
}
