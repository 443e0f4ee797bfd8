import type { GraphQLSchema } from 'graphql';
import { COMPOSE_COMMAND } from '../paths';
import type { CheckResult, ClassifiedChange, Finding } from '../report/report';
import { locate, type SourceIndex } from '../source-index';
import type { ParsedBaseline } from './baseline';
import { classifyChanges, type SchemaChange } from './classify-changes';
import type { OperationUsage } from './operation-usage';

const TITLE = 'Breaking changes';

export interface BreakingInput {
  baseline: ParsedBaseline;
  next: GraphQLSchema;
  usage: readonly OperationUsage[];
  strict: boolean;
  index: SourceIndex;
}

function usersOf(change: SchemaChange, usage: readonly OperationUsage[]) {
  const { affects } = change;
  // A change without a coordinate cannot be traced, so it is taken to touch every operation.
  return usage.filter((u) => affects === undefined || u.coordinates.has(affects)).map((u) => u.operation);
}

function toClassified(change: SchemaChange, input: BreakingInput): ClassifiedChange {
  const usedBy = change.level === 'safe' ? [] : usersOf(change, input.usage);
  return {
    level: change.level,
    kind: change.kind,
    coordinate: change.coordinate,
    message: change.message,
    reason: change.reason,
    usedBy,
    blocking: change.level === 'breaking' && (input.strict || usedBy.length > 0),
    locations: locate(input.index, change.coordinate),
  };
}

function summarize(changes: ClassifiedChange[], label: string): string {
  if (changes.length === 0) return `vs ${label}: no changes`;
  const count = (level: string) => changes.filter((c) => c.level === level).length;
  const blocking = changes.filter((c) => c.blocking).length;
  const breaking = count('breaking');
  const unused = breaking > 0 && blocking < breaking ? `, ${breaking - blocking} unused by any operation` : '';
  return `vs ${label}: ${breaking} breaking (${blocking} blocking${unused}), ${count('dangerous')} dangerous, ${count('safe')} safe`;
}

/**
 * Compares the new API schema with the baseline. A breaking change fails the check when a known
 * operation uses what it changes (or always with `--strict`); an unused one is reported and passes,
 * as hosted registries' operation checks do.
 */
export async function breakingCheck(input: BreakingInput): Promise<CheckResult> {
  const { baseline } = input;
  if (baseline.kind === 'skip') {
    const notice: Finding = { severity: 'notice', code: 'NO_BASELINE', message: `No baseline API schema: ${baseline.reason}. Breaking-change check skipped.`, locations: [] };
    return { id: 'breaking', title: TITLE, status: 'skip', summary: baseline.reason, findings: [notice] };
  }
  if (baseline.kind === 'error') {
    const finding: Finding = { severity: 'error', code: 'BAD_BASELINE', message: baseline.reason, locations: [], fix: 'Pass --base <ref> or --base-file <path> that holds a valid API schema.' };
    return { id: 'breaking', title: TITLE, status: 'fail', summary: baseline.reason, findings: [finding] };
  }
  const changes = (await classifyChanges(baseline.schema, input.next)).map((c) => toClassified(c, input));
  const blocking = changes.filter((c) => c.blocking);
  const findings: Finding[] = blocking.length
    ? [
        {
          severity: 'error',
          code: 'BREAKING_CHANGE',
          message: `${blocking.length} breaking change(s) ${input.strict ? '(--strict)' : 'used by client operations'}: ${blocking.map((c) => c.coordinate ?? c.kind).join(', ')}`,
          locations: [],
          fix: `Keep the old field, type or value and deprecate it (@deprecated) until no client uses it, or update the operations; then run \`${COMPOSE_COMMAND}\`.`,
        },
      ]
    : [];
  const status = blocking.length > 0 ? 'fail' : changes.some((c) => c.level !== 'safe') ? 'warn' : 'pass';
  return { id: 'breaking', title: TITLE, status, summary: summarize(changes, baseline.label), findings, changes };
}
