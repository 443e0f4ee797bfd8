import { STATUS_WORD, headline, usageNote, where } from './describe';
import type { CheckResult, CheckStatus, ClassifiedChange, Finding, Report } from './report';

const STATUS_ICON: Record<CheckStatus, string> = { pass: '✅', warn: '⚠️', fail: '❌', skip: '⏭️' };
const LEVEL_ICON = { breaking: '❌', dangerous: '⚠️', safe: '✅' } as const;

/** GitHub renders inline HTML, so `<token>` in a message would vanish. */
const text = (raw: string) => raw.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** Table cells cannot hold pipes or newlines either. */
const cell = (raw: string) => text(raw).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

function changeRow(change: ClassifiedChange, strict: boolean): string {
  const icon = change.level === 'breaking' && !change.blocking ? '⚠️' : LEVEL_ICON[change.level];
  const usage = usageNote(change, strict) ?? '';
  return `| ${icon} ${change.level} | ${code(change.kind)} | ${change.coordinate ? code(change.coordinate) : ''} | ${cell(change.message)} | ${cell(usage)} |`;
}

function findingItem(finding: Finding): string {
  const at = finding.locations.length > 0 ? ` — ${finding.locations.map((l) => code(where(l))).join(', ')}` : '';
  const fix = finding.fix ? `<br>**Fix:** ${text(finding.fix)}` : '';
  return `- **${finding.severity}** ${code(finding.code)} ${text(finding.message)}${at}${fix}`;
}

function section(check: CheckResult, strict: boolean): string[] {
  if (check.findings.length === 0 && (check.changes ?? []).length === 0) return [];
  const lines = [`### ${STATUS_ICON[check.status]} ${check.title}`, '', text(check.summary), ''];
  const changes = check.changes ?? [];
  if (changes.length > 0) {
    lines.push('| Level | Change | Coordinate | Description | Usage |', '| --- | --- | --- | --- | --- |', ...changes.map((c) => changeRow(c, strict)), '');
  }
  if (check.findings.length > 0) lines.push(...check.findings.map(findingItem), '');
  return lines;
}

/** A pull-request comment or job summary: a table of checks, then the details of each. */
export function formatMarkdown(report: Report): string {
  const lines = [
    `## ${report.ok ? '✅' : '❌'} ${headline(report)}`,
    '',
    '| Check | Status | Summary |',
    '| --- | --- | --- |',
    ...report.checks.map((c) => `| ${c.title} | ${STATUS_ICON[c.status]} ${STATUS_WORD[c.status]} | ${cell(c.summary)} |`),
    '',
  ];
  for (const check of report.checks) lines.push(...section(check, report.strict));
  return `${lines.join('\n').trimEnd()}\n`;
}
