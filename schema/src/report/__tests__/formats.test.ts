import { formatJson } from '../json.format';
import { formatMarkdown } from '../markdown.format';
import type { Report } from '../report';
import { formatTerminal } from '../terminal.format';

const report: Report = {
  ok: false,
  strict: false,
  root: '/repo',
  durationMs: 1234,
  checks: [
    { id: 'composition', title: 'Composition', status: 'pass', summary: '4 subgraphs composed', findings: [] },
    {
      id: 'drift',
      title: 'Drift',
      status: 'fail',
      summary: 'stale',
      findings: [{ severity: 'error', code: 'STALE_FILE', message: 'schema/api.graphql is stale', locations: [{ file: 'schema/api.graphql', line: 3 }], fix: 'Run `npm run schema:compose`.' }],
    },
    {
      id: 'breaking',
      title: 'Breaking changes',
      status: 'fail',
      summary: '2 breaking',
      findings: [],
      changes: [
        { level: 'breaking', kind: 'FIELD_REMOVED', coordinate: 'Product.name', message: "Field 'name' was removed", usedBy: [{ name: 'ProductPage', file: 'ops/p.graphql', line: 2 }], blocking: true, locations: [] },
        { level: 'breaking', kind: 'FIELD_REMOVED', coordinate: 'Query.user', message: "Field 'user' was removed", usedBy: [], blocking: false, locations: [] },
        { level: 'safe', kind: 'FIELD_ADDED', coordinate: 'Product.colour', message: "Field 'colour' | <new>", usedBy: [], blocking: false, locations: [{ file: 'products.graphql', line: 9, subgraph: 'products' }] },
      ],
    },
    { id: 'lint', title: 'Schema lint', status: 'skip', summary: 'composition failed', findings: [] },
  ],
};

describe('report formats', () => {
  it('terminal: a headline, one line per check, then each change and finding with where and what to do', () => {
    const text = formatTerminal(report);
    expect(text.split('\n')[0]).toBe('Schema check failed: 2 of 4 checks failed (1.2 s)');
    expect(text).toContain('✖ Drift              FAILED: stale');
    expect(text).toContain('    ✖ STALE_FILE  schema/api.graphql is stale\n      at schema/api.graphql:3\n      fix: Run `npm run schema:compose`.');
    expect(text).toContain('used by: ProductPage (ops/p.graphql:2)');
    expect(text).toContain('used by no known operation: reported, does not fail (use --strict to fail)');
    expect(text).toContain('at products.graphql:9 (products)');
    expect(text).not.toContain('\u001b[');
    expect(formatTerminal(report, { color: true })).toContain('\u001b[31m');
  });

  it('markdown: a table of checks and a table of changes, with pipes and HTML escaped', () => {
    const markdown = formatMarkdown(report);
    expect(markdown).toMatch(/^## ❌ Schema check failed/);
    expect(markdown).toContain('| Drift | ❌ FAILED | stale |');
    expect(markdown).toContain("| ❌ breaking | `FIELD_REMOVED` | `Product.name` | Field 'name' was removed | used by: ProductPage (ops/p.graphql:2) |");
    expect(markdown).toContain('| ⚠️ breaking | `FIELD_REMOVED` | `Query.user` |');
    expect(markdown).toContain("Field 'colour' \\| &lt;new&gt;");
    expect(markdown).toContain('- **error** `STALE_FILE` schema/api.graphql is stale — `schema/api.graphql:3`<br>**Fix:** Run `npm run schema:compose`.');
  });

  it('json: the report itself', () => {
    expect(JSON.parse(formatJson(report))).toEqual(report);
  });
});
