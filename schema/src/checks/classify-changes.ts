import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import type { GraphQLSchema } from 'graphql';
import type { ChangeLevel } from '../report/report';

/** A change between two API schemas, with its level and what an operation must touch to be hit by it. */
export interface SchemaChange {
  level: ChangeLevel;
  kind: string;
  coordinate?: string;
  message: string;
  reason?: string;
  /** The coordinate an operation must use to be affected; undefined when any operation may be. */
  affects?: string;
}

const LEVELS: Record<CriticalityLevel, ChangeLevel> = {
  [CriticalityLevel.Breaking]: 'breaking',
  [CriticalityLevel.Dangerous]: 'dangerous',
  [CriticalityLevel.NonBreaking]: 'safe',
};

/**
 * Which coordinate an operation must use to be affected by a change. Conservative where the
 * operation's text cannot tell: an argument whose type changes hits every use of the field (a
 * nullable argument made required breaks callers that omit it); input-object and enum changes
 * hit every operation that passes or receives the type (values arrive through variables).
 */
export function affectedCoordinate(kind: string, path: string | undefined): string | undefined {
  if (!path) return undefined;
  const parts = path.split('.');
  if (kind.startsWith('DIRECTIVE_') && !kind.startsWith('DIRECTIVE_USAGE_')) return `@${parts[0]!.replace(/^@/, '')}`;
  // `Type.field.@deprecated`: a directive applied to an element affects the users of that element.
  const at = parts.findIndex((part) => part.startsWith('@'));
  const element = at >= 0 ? parts.slice(0, at) : parts;
  if (kind.startsWith('DIRECTIVE_USAGE_')) return element.join('.');
  if (kind === 'FIELD_ARGUMENT_REMOVED') return element.slice(0, 3).join('.');
  if (kind.startsWith('FIELD_')) return element.slice(0, 2).join('.');
  return element[0];
}

/**
 * Where graphql-js's findBreakingChanges is stricter than GraphQL Inspector, the stricter level
 * wins: an operation that repeats a directive stops validating once it is no longer repeatable.
 */
const AT_LEAST_BREAKING = new Set(['DIRECTIVE_REPEATABLE_REMOVED']);

function classify(change: Change): SchemaChange {
  const kind = String(change.type);
  return {
    level: AT_LEAST_BREAKING.has(kind) ? 'breaking' : LEVELS[change.criticality.level],
    kind,
    coordinate: change.path,
    message: change.message,
    reason: change.criticality.reason,
    affects: affectedCoordinate(kind, change.path),
  };
}

const ORDER: Record<ChangeLevel, number> = { breaking: 0, dangerous: 1, safe: 2 };

const ADDITIONS = new Set(['TYPE_ADDED', 'FIELD_ADDED', 'INPUT_FIELD_ADDED', 'ENUM_VALUE_ADDED', 'FIELD_ARGUMENT_ADDED', 'DIRECTIVE_ADDED']);

/**
 * Drops the non-breaking details of an element the diff also reports as added ("field added" and
 * "its description added" are one change to a reader). Breaking changes are never dropped.
 */
export function withoutAdditionDetails(changes: SchemaChange[]): SchemaChange[] {
  const added = changes.filter((c) => ADDITIONS.has(c.kind) && c.coordinate).map((c) => c.coordinate!);
  return changes.filter(
    (c) => ADDITIONS.has(c.kind) || c.level === 'breaking' || !c.coordinate || !added.some((a) => c.coordinate === a || c.coordinate!.startsWith(`${a}.`)),
  );
}

/** Every difference from the baseline, breaking first, classified by GraphQL Inspector's rules. */
export async function classifyChanges(baseline: GraphQLSchema, next: GraphQLSchema): Promise<SchemaChange[]> {
  const changes = await diff(baseline, next);
  return withoutAdditionDetails(changes.map(classify)).sort((a, b) => ORDER[a.level] - ORDER[b.level]);
}
