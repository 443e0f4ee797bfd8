import type { Report } from './report';

/** The report as data, for machines; the shape is `Report` in report.ts. */
export function formatJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
