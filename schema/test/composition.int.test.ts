import { check, ORDERS_SDL, TempRepo } from './temp-repo';

let repo: TempRepo;
beforeEach(() => {
  repo = new TempRepo();
});
afterEach(() => repo.remove());

describe('composition check (real CLI in a temporary repository)', () => {
  it('fails a field type conflict between two subgraphs with the code, both subgraphs, the field and the lines', () => {
    repo.edit(ORDERS_SDL, /amountCents: Int!/, 'amountCents: Float!');

    const { status, report } = repo.checkJson();

    expect(status).toBe(1);
    const composition = check(report, 'composition');
    expect(composition.status).toBe('fail');
    const [error] = composition.findings;
    expect(error).toMatchObject({ severity: 'error', code: 'FIELD_TYPE_MISMATCH', coordinate: 'Money.amountCents' });
    expect(error!.subgraphs).toEqual(expect.arrayContaining(['orders', 'products']));
    expect(error!.locations).toEqual(
      expect.arrayContaining([
        { file: ORDERS_SDL, line: expect.any(Number), subgraph: 'orders' },
        { file: 'subgraphs/products/src/schema.graphql', line: expect.any(Number), subgraph: 'products' },
      ]),
    );
    // Nothing else can be judged without a composed schema.
    expect(report.checks.filter((c) => c.id !== 'composition').map((c) => c.status)).toEqual(['skip', 'skip', 'skip', 'skip', 'skip']);
  });

  it('prints the composition error readably in the terminal and makes compose exit 1 without writing files', () => {
    const before = repo.read('schema/supergraph.graphql');
    repo.edit(ORDERS_SDL, /amountCents: Int!/, 'amountCents: Float!');

    const checked = repo.cli('check');
    expect(checked.status).toBe(1);
    expect(checked.stdout).toContain('FIELD_TYPE_MISMATCH');
    expect(checked.stdout).toContain('Type of field "Money.amountCents" is incompatible across subgraphs');
    expect(checked.stdout).toMatch(/subgraphs: (orders, products|products, orders)/);
    expect(checked.stdout).toMatch(/at subgraphs\/orders\/src\/schema\.graphql:\d+ \(orders\)/);

    const composed = repo.cli('compose');
    expect(composed.status).toBe(1);
    expect(composed.stderr).toContain('FIELD_TYPE_MISMATCH');
    expect(repo.read('schema/supergraph.graphql')).toBe(before);
  });

  it('reports a syntax error in a subgraph SDL with its file and line', () => {
    repo.edit(ORDERS_SDL, 'type OrderItem {', 'type OrderItem {{');

    const { status, report } = repo.checkJson();

    expect(status).toBe(1);
    expect(check(report, 'composition').findings[0]).toMatchObject({ code: 'INVALID_GRAPHQL', locations: [{ file: ORDERS_SDL, line: expect.any(Number), subgraph: 'orders' }] });
  });
});
