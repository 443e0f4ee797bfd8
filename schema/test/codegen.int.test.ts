import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { check, CLI, PRODUCTS_SDL, REPO_ROOT, TempRepo } from './temp-repo';

const CONFIG = 'schema/codegen.json';
const PRODUCTS_TYPES = 'subgraphs/products/src/generated/resolvers-types.ts';
const REVIEWS_TYPES = 'subgraphs/reviews/src/generated/resolvers-types.ts';
const DOCUMENTS = 'apps/storefront/src/generated/graphql.ts';

let repo: TempRepo;
beforeEach(() => {
  repo = new TempRepo();
  repo.write(CONFIG, readFileSync(join(REPO_ROOT, CONFIG), 'utf8'));
  const generated = repo.cli('codegen');
  if (generated.status !== 0) throw new Error(`codegen failed:\n${generated.stdout}${generated.stderr}`);
});
afterEach(() => repo.remove());

describe('codegen and the generated-code check (real CLI in a temporary repository)', () => {
  it('writes federation-aware resolver types per subgraph and typed documents for every operation', () => {
    const products = repo.read(PRODUCTS_TYPES);
    // @key(fields: "id") @key(fields: "sku"): a reference arrives with one key or the other.
    expect(products).toContain('__resolveReference?: ReferenceResolver<');
    expect(products).toMatch(/GraphQLRecursivePick<FederationTypes\['Product'\], \{"id":true\}>\s*\|\s*GraphQLRecursivePick<FederationTypes\['Product'\], \{"sku":true\}>/);
    expect(products).toContain("import type { Product as ProductEntity } from '../entities/product.entity';");
    expect(products).toContain("import type { ProductsContext } from '../product.resolvers';");
    // @requires(fields: "price { amountCents currency } weightGrams") shapes orders' Product reference.
    expect(repo.read('subgraphs/orders/src/generated/resolvers-types.ts')).toContain('{"price":{"amountCents":true,"currency":true},"weightGrams":true}');

    const documents = repo.read(DOCUMENTS);
    for (const name of ['ProductListing', 'ProductPage', 'SignIn', 'PlaceOrder', 'AccountPage']) {
      expect(documents).toContain(`export const ${name}Document = `);
    }
    expect(documents).toMatch(/as unknown as DocumentNode<PlaceOrderMutation, PlaceOrderMutationVariables>/);
  });

  it('passes right after codegen, then fails only the stale file when a subgraph changes, until codegen runs again', () => {
    expect(check(repo.checkJson().report, 'codegen')).toMatchObject({ status: 'pass', findings: [] });

    repo.change(PRODUCTS_SDL, /(\s+"Shipping weight in grams."\n\s+weightGrams: Int!)/, '$1\n  "The colour, if any."\n  colour: String');
    const { status, report } = repo.checkJson();

    expect(status).toBe(1);
    const codegen = check(report, 'codegen');
    expect(codegen.status).toBe('fail');
    // The API schema changed too, but no operation selects colour: the typed documents stay fresh.
    expect(codegen.findings).toEqual([
      expect.objectContaining({ code: 'STALE_FILE', locations: [{ file: PRODUCTS_TYPES, line: expect.any(Number) }], fix: `Run \`npm run schema:codegen\` and commit ${PRODUCTS_TYPES}.` }),
    ]);
    expect(repo.cli('check').stdout).toMatch(/STALE_FILE\s+subgraphs\/products\/src\/generated\/resolvers-types\.ts is stale/);

    const regenerated = repo.cli('codegen');
    expect(regenerated.stdout).toContain(`Wrote ${PRODUCTS_TYPES}.`);
    expect(regenerated.stdout).toContain('5 generated file(s), 1 changed.');
    expect(repo.read(PRODUCTS_TYPES)).toContain('colour?: Maybe<Scalars[\'String\'][\'output\']>;');
    expect(repo.checkJson().status).toBe(0);
  });

  it('fails the typed documents when an operation changes', () => {
    repo.edit('schema/operations/storefront/product-listing.graphql', /(\n\s+sku\n)/, '$1        description\n');

    const codegen = check(repo.checkJson().report, 'codegen');

    expect(codegen.findings).toEqual([expect.objectContaining({ code: 'STALE_FILE', locations: [expect.objectContaining({ file: DOCUMENTS })] })]);
  });

  it('fails a hand edit and a deleted file, each with the command that fixes it', () => {
    repo.write(REVIEWS_TYPES, `${repo.read(REVIEWS_TYPES)}// hand edit\n`);
    rmSync(repo.path(DOCUMENTS));

    const codegen = check(repo.checkJson().report, 'codegen');

    expect(codegen.findings.map((f) => [f.code, f.locations[0]!.file])).toEqual([
      ['STALE_FILE', REVIEWS_TYPES],
      ['MISSING_FILE', DOCUMENTS],
    ]);
    expect(codegen.findings.every((f) => f.fix?.startsWith('Run `npm run schema:codegen`'))).toBe(true);
  });

  it('warns about a subgraph the config gives no resolver types, without failing', () => {
    const config = JSON.parse(repo.read(CONFIG)) as { resolvers: Record<string, unknown> };
    delete config.resolvers.reviews;
    repo.write(CONFIG, JSON.stringify(config));

    const { status, report } = repo.checkJson();

    expect(status).toBe(0);
    expect(check(report, 'codegen')).toMatchObject({ status: 'warn', findings: [expect.objectContaining({ code: 'NO_RESOLVER_TYPES', subgraphs: ['reviews'] })] });
  });

  it('refuses an invalid config with exit code 2 and every problem listed', () => {
    repo.write(CONFIG, JSON.stringify({ resolvers: { shipping: { output: 'x.js' } }, operations: { output: '/abs.ts' } }));

    const run = repo.cli('check');

    expect(run.status).toBe(2);
    expect(run.stderr).toContain('schema/codegen.json is invalid');
    expect(run.stderr).toContain('resolvers.shipping: "shipping" is not a subgraph of schema/subgraphs.json');
    expect(run.stderr).toContain('resolvers.shipping.output must be a relative path of a .ts file, got "x.js"');
    expect(run.stderr).toContain('"operations.output" must be a relative path of a .ts file');
  });

  it('skips the check in a repository without a codegen config', () => {
    rmSync(repo.path(CONFIG));

    expect(check(repo.checkJson().report, 'codegen')).toMatchObject({ status: 'skip', summary: 'no schema/codegen.json: nothing is generated' });
  });

  it('as the build runs it (--build): writes nothing when CI is set, so CI checks the committed files instead', () => {
    rmSync(repo.path(DOCUMENTS));

    const inCi = codegenBuild('true');
    expect(inCi.status).toBe(0);
    expect(inCi.stdout).toContain('CI is set: not writing generated code');
    expect(existsSync(repo.path(DOCUMENTS))).toBe(false);

    expect(codegenBuild(undefined).status).toBe(0);
    expect(existsSync(repo.path(DOCUMENTS))).toBe(true);
  });

  it('fails on subgraphs that do not compose, but as the build runs it only warns and writes nothing', () => {
    const before = repo.read(PRODUCTS_TYPES);
    repo.edit('subgraphs/orders/src/schema.graphql', /amountCents: Int!/, 'amountCents: Float!');

    const plain = repo.cli('codegen');
    expect(plain.status).toBe(1);
    expect(plain.stderr).toContain('FIELD_TYPE_MISMATCH');

    const build = codegenBuild(undefined);
    expect(build.status).toBe(0);
    expect(build.stderr).toContain('warning: the subgraphs do not compose, so generated code was not updated; run `npm run schema:check`.');
    expect(repo.read(PRODUCTS_TYPES)).toBe(before);
  });
});

/** `codegen --build` with CI set or unset, whatever the environment this test runs in. */
function codegenBuild(CI: string | undefined) {
  const env: NodeJS.ProcessEnv = { ...process.env, CI };
  if (CI === undefined) delete env.CI;
  return spawnSync(process.execPath, [CLI, 'codegen', '--root', repo.root, '--build'], { encoding: 'utf8', env });
}
