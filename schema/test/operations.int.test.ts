import { check, PRODUCTS_SDL, TempRepo } from './temp-repo';

let repo: TempRepo;
beforeEach(() => {
  repo = new TempRepo();
});
afterEach(() => repo.remove());

/** Every operation in schema/operations that selects Product.name. */
const USES_PRODUCT_NAME = ['AccountPage', 'CreateProduct', 'OrderDetail', 'PlaceOrder', 'ProductListing', 'ProductPage', 'ProductPageById'];

describe('client operations check (real CLI in a temporary repository)', () => {
  it('fails removing Product.name, naming Product.name and every operation that uses it', () => {
    repo.change(PRODUCTS_SDL, /\s+"The product's name."\n\s+name: String!/, '');

    const { status, report } = repo.checkJson();

    expect(status).toBe(1);
    const removed = check(report, 'breaking').changes?.find((c) => c.coordinate === 'Product.name');
    expect(removed).toMatchObject({ level: 'breaking', kind: 'FIELD_REMOVED', blocking: true });
    expect(removed!.usedBy.map((op) => op.name).sort()).toEqual(USES_PRODUCT_NAME);

    const invalid = check(report, 'operations').findings.filter((f) => f.code === 'INVALID_OPERATION');
    expect(invalid.every((f) => f.coordinate === 'Product.name')).toBe(true);
    expect(invalid.every((f) => f.locations[0]!.file.startsWith('schema/operations/') && f.locations[0]!.line! > 0)).toBe(true);

    const terminal = repo.cli('check').stdout;
    expect(terminal).toContain("FIELD_REMOVED  Field 'name' was removed from object type 'Product'");
    for (const name of USES_PRODUCT_NAME) expect(terminal).toMatch(new RegExp(`used by: .*\\b${name} \\(schema/operations/`));
    expect(terminal).toContain('Cannot query field "name" on type "Product"');
  });

  it('fails an operation that does not validate against the API schema, with its file and line', () => {
    repo.write('schema/operations/storefront/broken.graphql', 'query Broken {\n  products {\n    edges { node { colour } }\n  }\n}\n');

    const { status, report } = repo.checkJson();

    expect(status).toBe(1);
    expect(check(report, 'operations').findings).toEqual([
      expect.objectContaining({
        code: 'INVALID_OPERATION',
        coordinate: 'Product.colour',
        message: expect.stringContaining('operation Broken no longer validates: Cannot query field "colour" on type "Product"'),
        locations: [{ file: 'schema/operations/storefront/broken.graphql', line: 3 }],
      }),
    ]);
  });

  it('fails two operations with the same name', () => {
    repo.write('schema/operations/storefront/again.graphql', 'query SignInAgain { me { id } }\nquery AccountPage { me { id } }\n');

    const { report } = repo.checkJson();

    expect(check(report, 'operations').findings).toEqual([expect.objectContaining({ code: 'DUPLICATE_OPERATION', locations: [{ file: 'schema/operations/storefront/again.graphql', line: 2 }] })]);
  });

  it('writes markdown for a pull-request comment to --output and still prints the terminal summary', () => {
    repo.change(PRODUCTS_SDL, /\s+"The product's name."\n\s+name: String!/, '');

    const run = repo.cli('check', '--format', 'markdown', '--output', repo.path('summary.md'));

    expect(run.status).toBe(1);
    expect(run.stdout).toContain('Schema check failed');
    const markdown = repo.read('summary.md');
    expect(markdown).toMatch(/^## ❌ Schema check failed/);
    expect(markdown).toContain('| ❌ breaking | `FIELD_REMOVED` | `Product.name` |');
  });
});
