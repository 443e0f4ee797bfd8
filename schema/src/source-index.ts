import { Kind, parse, type ASTNode, type ConstDirectiveNode, type DefinitionNode, type DocumentNode } from 'graphql';
import type { SubgraphSource } from './config';
import type { SourceLocation } from './report/report';

/** Schema coordinate (`Type`, `Type.field`, `Type.field.arg`, `Enum.VALUE`) → where subgraphs define it. */
export type SourceIndex = ReadonlyMap<string, SourceLocation[]>;

const isExternal = (directives: readonly ConstDirectiveNode[] | undefined): boolean =>
  (directives ?? []).some((d) => d.name.value === 'external' || d.name.value === 'federation__external');

/** The line of a definition's name: its node starts at the description, which may span lines above. */
export function lineOf(node: ASTNode): number | undefined {
  const name = 'name' in node && node.name && typeof node.name === 'object' && 'loc' in node.name ? node.name.loc : undefined;
  return (name ?? node.loc)?.startToken.line;
}

function add(index: Map<string, SourceLocation[]>, coordinate: string, location: SourceLocation): void {
  const list = index.get(coordinate) ?? [];
  list.push(location);
  index.set(coordinate, list);
}

function indexDefinition(index: Map<string, SourceLocation[]>, def: DefinitionNode, at: (line?: number) => SourceLocation): void {
  if (!('name' in def) || !def.name) return;
  const type = def.name.value;
  if (def.kind === Kind.DIRECTIVE_DEFINITION) return;
  add(index, type, at(lineOf(def)));
  if ('fields' in def && def.fields) {
    for (const field of def.fields) {
      // An @external field is a reference to another subgraph's definition, not a definition.
      if (isExternal(field.directives)) continue;
      add(index, `${type}.${field.name.value}`, at(lineOf(field)));
      if ('arguments' in field) {
        for (const arg of field.arguments ?? []) add(index, `${type}.${field.name.value}.${arg.name.value}`, at(lineOf(arg)));
      }
    }
  }
  if ('values' in def && def.values) {
    for (const value of def.values) add(index, `${type}.${value.name.value}`, at(lineOf(value)));
  }
}

/** Parses a subgraph's SDL, or returns undefined when it does not parse (composition reports that). */
export function parseSubgraph(source: SubgraphSource): DocumentNode | undefined {
  try {
    return parse(source.sdl);
  } catch {
    return undefined;
  }
}

/** Indexes every definition of every subgraph so findings can point at a file and line. */
export function buildSourceIndex(sources: SubgraphSource[]): SourceIndex {
  const index = new Map<string, SourceLocation[]>();
  for (const source of sources) {
    const document = parseSubgraph(source);
    if (!document) continue;
    const at = (line?: number): SourceLocation => ({ file: source.schema, line, subgraph: source.name });
    for (const def of document.definitions) indexDefinition(index, def, at);
  }
  return index;
}

/** The locations of a coordinate, falling back to its parent (`Type.field.arg` → `Type.field` → `Type`). */
export function locate(index: SourceIndex, coordinate: string | undefined): SourceLocation[] {
  if (!coordinate) return [];
  const parts = coordinate.split('.');
  for (let n = parts.length; n > 0; n--) {
    const found = index.get(parts.slice(0, n).join('.'));
    if (found) return found;
  }
  return [];
}
