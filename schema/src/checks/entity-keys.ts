import { Kind, type ConstDirectiveNode, type DefinitionNode } from 'graphql';
import type { SubgraphSource } from '../config';
import { CONFIG_FILE } from '../paths';
import type { Finding, SourceLocation } from '../report/report';
import { lineOf, parseSubgraph } from '../source-index';

interface EntityDefinition {
  subgraph: string;
  location: SourceLocation;
  /** At least one `@key` that is not `resolvable: false`. */
  resolvable: boolean;
}

const isKey = (d: ConstDirectiveNode) => d.name.value === 'key' || d.name.value === 'federation__key';

function isResolvable(key: ConstDirectiveNode): boolean {
  const arg = key.arguments?.find((a) => a.name.value === 'resolvable');
  return !(arg && arg.value.kind === Kind.BOOLEAN && !arg.value.value);
}

function entityOf(def: DefinitionNode): { name: string; keys: ConstDirectiveNode[]; line?: number } | undefined {
  if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.OBJECT_TYPE_EXTENSION && def.kind !== Kind.INTERFACE_TYPE_DEFINITION) return undefined;
  const keys = (def.directives ?? []).filter(isKey);
  return keys.length > 0 ? { name: def.name.value, keys, line: lineOf(def) } : undefined;
}

/** Every entity (a type with `@key` in some subgraph) and where each subgraph defines it. */
export function findEntities(sources: readonly SubgraphSource[]): Map<string, EntityDefinition[]> {
  const entities = new Map<string, EntityDefinition[]>();
  for (const source of sources) {
    for (const def of parseSubgraph(source)?.definitions ?? []) {
      const entity = entityOf(def);
      if (!entity) continue;
      const list = entities.get(entity.name) ?? [];
      list.push({ subgraph: source.name, location: { file: source.schema, line: entity.line, subgraph: source.name }, resolvable: entity.keys.some(isResolvable) });
      entities.set(entity.name, list);
    }
  }
  return entities;
}

/**
 * Every entity has an owner in the composition config, and the owner can resolve it by a key:
 * otherwise the router has no subgraph to fetch the entity's own fields from.
 */
export function entityKeyFindings(sources: readonly SubgraphSource[]): Finding[] {
  const entities = findEntities(sources);
  const findings: Finding[] = [];
  for (const [name, definitions] of entities) {
    const owner = sources.find((s) => s.owns.includes(name));
    const locations = definitions.map((d) => d.location);
    if (!owner) {
      findings.push({ severity: 'error', code: 'ENTITY_WITHOUT_OWNER', message: `entity ${name} has no owning subgraph`, coordinate: name, locations, fix: `Add "${name}" to the "owns" list of its subgraph in ${CONFIG_FILE}.` });
      continue;
    }
    const own = definitions.find((d) => d.subgraph === owner.name);
    if (!own?.resolvable) {
      findings.push({
        severity: 'error',
        code: 'ENTITY_WITHOUT_RESOLVABLE_KEY',
        message: own ? `entity ${name} has no resolvable @key in its owner ${owner.name} (every key says resolvable: false)` : `entity ${name} is owned by ${owner.name}, which has no @key for it`,
        coordinate: name,
        subgraphs: [owner.name],
        locations: own ? [own.location] : [{ file: owner.schema, subgraph: owner.name }],
        fix: `Give ${name} a @key(fields: "…") in ${owner.schema} and a __resolveReference in its resolvers.`,
      });
    }
  }
  for (const source of sources) {
    for (const name of source.owns.filter((n) => !entities.has(n))) {
      findings.push({ severity: 'error', code: 'OWNED_TYPE_NOT_AN_ENTITY', message: `${CONFIG_FILE} says ${source.name} owns ${name}, but no subgraph declares ${name} with @key`, coordinate: name, subgraphs: [source.name], locations: [{ file: CONFIG_FILE }], fix: `Remove "${name}" from "owns", or give it a @key.` });
    }
  }
  return findings;
}
