import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE } from './paths';

/** One subgraph as the composition config lists it. */
export interface SubgraphConfig {
  /** The subgraph's name in the supergraph (`join__Graph`), e.g. `products`. */
  name: string;
  /** The routing URL written into the supergraph; the router can override it by environment. */
  url: string;
  /** The subgraph's SDL file, relative to the repository root. */
  schema: string;
  /** The entities this subgraph owns: the schema lint requires a resolvable `@key` there. */
  owns: string[];
}

/** A configured subgraph with its SDL read from disk. */
export interface SubgraphSource extends SubgraphConfig {
  sdl: string;
}

export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    file: string = CONFIG_FILE,
  ) {
    super(`${file} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseEntry(entry: unknown, at: string, problems: string[]): SubgraphConfig | undefined {
  if (!isRecord(entry)) {
    problems.push(`${at} must be an object`);
    return undefined;
  }
  const { name, url, schema, owns = [] } = entry;
  const before = problems.length;
  if (typeof name !== 'string' || !/^[a-z][a-z0-9_-]*$/.test(name)) problems.push(`${at}.name must be a lower-case name, got ${JSON.stringify(name)}`);
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) problems.push(`${at}.url must be an http(s) URL, got ${JSON.stringify(url)}`);
  if (typeof schema !== 'string' || !schema.endsWith('.graphql')) problems.push(`${at}.schema must be the path of a .graphql file, got ${JSON.stringify(schema)}`);
  if (!Array.isArray(owns) || owns.some((t) => typeof t !== 'string')) problems.push(`${at}.owns must be a list of type names`);
  if (problems.length > before) return undefined;
  return { name: name as string, url: url as string, schema: schema as string, owns: owns as string[] };
}

/** Validates the config's JSON, listing every problem at once. */
export function parseSubgraphsConfig(json: unknown): SubgraphConfig[] {
  const problems: string[] = [];
  const entries = isRecord(json) ? json.subgraphs : undefined;
  if (!Array.isArray(entries) || entries.length === 0) throw new ConfigError(['"subgraphs" must be a non-empty list']);
  const subgraphs = entries.flatMap((entry, i) => parseEntry(entry, `subgraphs[${i}]`, problems) ?? []);
  const seen = new Set<string>();
  for (const { name } of subgraphs) {
    if (seen.has(name)) problems.push(`subgraph "${name}" is listed twice`);
    seen.add(name);
  }
  const owners = new Map<string, string>();
  for (const { name, owns } of subgraphs) {
    for (const type of owns) {
      const other = owners.get(type);
      if (other) problems.push(`entity "${type}" is owned by both "${other}" and "${name}"`);
      owners.set(type, name);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return subgraphs;
}

export function loadSubgraphsConfig(root: string): SubgraphConfig[] {
  const path = join(root, CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`cannot read ${path}: ${(error as Error).message}`]);
  }
  try {
    return parseSubgraphsConfig(JSON.parse(text));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError([`${CONFIG_FILE} is not valid JSON: ${(error as Error).message}`]);
  }
}

/** Reads every configured subgraph's SDL; a missing file is a config error naming it. */
export function readSubgraphSources(root: string, config: SubgraphConfig[]): SubgraphSource[] {
  const problems: string[] = [];
  const sources = config.flatMap((subgraph) => {
    try {
      return [{ ...subgraph, sdl: readFileSync(join(root, subgraph.schema), 'utf8') }];
    } catch (error) {
      problems.push(`subgraph "${subgraph.name}": cannot read ${subgraph.schema}: ${(error as Error).message}`);
      return [];
    }
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return sources;
}
