/** The data every check returns and every formatter prints: one shape for terminal, markdown and JSON. */

export type Severity = 'error' | 'warning' | 'notice';

/** Where a finding comes from: a file, and the line and subgraph where known. */
export interface SourceLocation {
  file: string;
  line?: number;
  subgraph?: string;
}

export interface Finding {
  severity: Severity;
  /** A stable code: a composition error code, `STALE_FILE`, `INVALID_OPERATION`, `MISSING_DESCRIPTION`, … */
  code: string;
  /** What broke, in plain words. */
  message: string;
  /** The schema coordinate involved, e.g. `Product.name`, when there is one. */
  coordinate?: string;
  subgraphs?: string[];
  locations: SourceLocation[];
  /** What to do about it. */
  fix?: string;
}

export type ChangeLevel = 'breaking' | 'dangerous' | 'safe';

/** A named client operation in `schema/operations`. */
export interface OperationRef {
  name: string;
  file: string;
  line: number;
}

/** One difference between the baseline and the new public API schema. */
export interface ClassifiedChange {
  level: ChangeLevel;
  /** GraphQL Inspector's change type, e.g. `FIELD_REMOVED`. */
  kind: string;
  /** The schema coordinate changed, e.g. `Product.name` or `Query.products.first`. */
  coordinate?: string;
  message: string;
  /** Why the level was chosen, when the library says. */
  reason?: string;
  /** The operations that touch what changed. */
  usedBy: OperationRef[];
  /** A breaking change fails the check when an operation uses it, or always with `--strict`. */
  blocking: boolean;
  /** Where the new definition lives, when it still exists. */
  locations: SourceLocation[];
}

export type CheckId = 'composition' | 'drift' | 'breaking' | 'operations' | 'lint' | 'codegen';
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  id: CheckId;
  title: string;
  status: CheckStatus;
  /** One line: what was checked and the outcome. */
  summary: string;
  findings: Finding[];
  /** Only the breaking-changes check fills this. */
  changes?: ClassifiedChange[];
}

export interface Report {
  ok: boolean;
  strict: boolean;
  root: string;
  durationMs: number;
  checks: CheckResult[];
}

/** A check's status from its findings: any error fails it, any warning marks it. */
export function statusOf(findings: Finding[]): CheckStatus {
  if (findings.some((f) => f.severity === 'error')) return 'fail';
  if (findings.some((f) => f.severity === 'warning')) return 'warn';
  return 'pass';
}

export function skipped(id: CheckId, title: string, reason: string): CheckResult {
  return { id, title, status: 'skip', summary: reason, findings: [] };
}
