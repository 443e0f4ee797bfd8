import { check, PRODUCTS_SDL, TempRepo } from './temp-repo';

let repo: TempRepo;
beforeEach(() => {
  repo = new TempRepo();
});
afterEach(() => repo.remove());

describe('drift check (real CLI in a temporary repository)', () => {
  it('passes every check on an unchanged copy of this repository', () => {
    const run = repo.cli('check');
    expect(run.stdout).toContain('Schema check passed');
    expect(run.status).toBe(0);
  });

  it('fails a stale supergraph.graphql and api.graphql and prints the one command that fixes them', () => {
    repo.edit(PRODUCTS_SDL, '"The product\'s name."', '"The product\'s display name."');

    const run = repo.cli('check');

    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/STALE_FILE\s+schema\/supergraph\.graphql is stale/);
    expect(run.stdout).toMatch(/STALE_FILE\s+schema\/api\.graphql is stale/);
    expect(run.stdout).toContain('fix: Run `npm run schema:compose`');

    expect(repo.cli('compose').status).toBe(0);
    expect(check(repo.checkJson().report, 'drift').status).toBe('pass');
  });

  it('fails a hand edit of the committed supergraph even when the subgraphs did not change', () => {
    repo.write('schema/supergraph.graphql', `${repo.read('schema/supergraph.graphql')}\n# hand edit\n`);

    const { status, report } = repo.checkJson();

    expect(status).toBe(1);
    expect(check(report, 'drift').findings).toEqual([expect.objectContaining({ code: 'STALE_FILE', locations: [expect.objectContaining({ file: 'schema/supergraph.graphql' })] })]);
  });
});
