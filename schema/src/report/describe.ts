import type { CheckStatus, ClassifiedChange, OperationRef, Report, SourceLocation } from './report';

/** Small wording helpers the terminal and markdown formatters share. */

export function where(location: SourceLocation): string {
  const at = location.line ? `${location.file}:${location.line}` : location.file;
  return location.subgraph ? `${at} (${location.subgraph})` : at;
}

export function operationRef(op: OperationRef): string {
  return `${op.name} (${op.file}:${op.line})`;
}

export function headline(report: Report): string {
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  const seconds = (report.durationMs / 1000).toFixed(1);
  return report.ok
    ? `Schema check passed: ${report.checks.length} checks in ${seconds} s`
    : `Schema check failed: ${failed} of ${report.checks.length} checks failed (${seconds} s)`;
}

export const STATUS_WORD: Record<CheckStatus, string> = { pass: 'passed', warn: 'passed with warnings', fail: 'FAILED', skip: 'skipped' };

/** How a change's usage reads: who it breaks, or why it does not fail the check. */
export function usageNote(change: ClassifiedChange, strict: boolean): string | undefined {
  if (change.level === 'safe') return undefined;
  if (change.usedBy.length > 0) return `used by: ${change.usedBy.map(operationRef).join(', ')}`;
  if (change.level === 'breaking') return strict ? 'used by no known operation; fails because of --strict' : 'used by no known operation: reported, does not fail (use --strict to fail)';
  return 'used by no known operation';
}
