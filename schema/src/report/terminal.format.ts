import { STATUS_WORD, headline, usageNote, where } from './describe';
import type { CheckResult, CheckStatus, ClassifiedChange, Finding, Report, Severity } from './report';

const STATUS_MARK: Record<CheckStatus, string> = { pass: '✔', warn: '⚠', fail: '✖', skip: '–' };
const SEVERITY_MARK: Record<Severity, string> = { error: '✖', warning: '⚠', notice: 'ℹ' };
const LEVEL_MARK = { breaking: '✖', dangerous: '⚠', safe: '✔' } as const;

const COLORS = { red: 31, yellow: 33, green: 32, dim: 2 } as const;
type Paint = (text: string, color: keyof typeof COLORS) => string;

function findingLines(finding: Finding, paint: Paint): string[] {
  const color = finding.severity === 'error' ? 'red' : finding.severity === 'warning' ? 'yellow' : 'dim';
  const lines = [`    ${paint(`${SEVERITY_MARK[finding.severity]} ${finding.code}`, color)}  ${finding.message}`];
  if (finding.locations.length > 0) lines.push(`      at ${finding.locations.map(where).join(', ')}`);
  if (finding.fix) lines.push(`      fix: ${finding.fix}`);
  return lines;
}

function changeLines(change: ClassifiedChange, strict: boolean, paint: Paint): string[] {
  const mark = change.level === 'breaking' && !change.blocking ? '⚠' : LEVEL_MARK[change.level];
  const color = change.blocking ? 'red' : change.level === 'safe' ? 'green' : 'yellow';
  const label = change.level.toUpperCase().padEnd(9);
  const lines = [`    ${paint(`${mark} ${label}`, color)} ${change.kind}  ${change.message}`];
  const usage = usageNote(change, strict);
  if (usage) lines.push(`      ${usage}`);
  if (change.level !== 'safe' && change.reason) lines.push(paint(`      why: ${change.reason}`, 'dim'));
  if (change.locations.length > 0 && change.level === 'safe') lines.push(paint(`      at ${change.locations.map(where).join(', ')}`, 'dim'));
  return lines;
}

function checkLines(check: CheckResult, strict: boolean, paint: Paint): string[] {
  const color = check.status === 'fail' ? 'red' : check.status === 'pass' ? 'green' : check.status === 'warn' ? 'yellow' : 'dim';
  const lines = [`${paint(STATUS_MARK[check.status], color)} ${check.title.padEnd(18)} ${paint(STATUS_WORD[check.status], color)}: ${check.summary}`];
  for (const change of check.changes ?? []) lines.push(...changeLines(change, strict, paint));
  for (const finding of check.findings) lines.push(...findingLines(finding, paint));
  return lines;
}

const painter = (color: boolean | undefined): Paint => (color ? (text, c) => `\u001b[${COLORS[c]}m${text}\u001b[0m` : (text) => text);

/** One check's lines, for commands that run a single check (compose). */
export function formatCheck(check: CheckResult, options: { color?: boolean } = {}): string {
  return `${checkLines(check, false, painter(options.color)).join('\n')}\n`;
}

/** The human summary: one line per check, then what broke, where, and what to do. */
export function formatTerminal(report: Report, options: { color?: boolean } = {}): string {
  const paint = painter(options.color);
  const lines = [paint(headline(report), report.ok ? 'green' : 'red'), ''];
  for (const check of report.checks) lines.push(...checkLines(check, report.strict, paint));
  return `${lines.join('\n')}\n`;
}
