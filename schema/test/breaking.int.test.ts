import type { ClassifiedChange } from '../src/report/report';
import { check, ORDERS_SDL, PRODUCTS_SDL, REVIEWS_SDL, TempRepo, USERS_SDL } from './temp-repo';

let repo: TempRepo;
beforeEach(() => {
  repo = new TempRepo();
});
afterEach(() => repo.remove());

function changes(...args: string[]): { status: number | null; changes: ClassifiedChange[] } {
  const { status, report } = repo.checkJson(...args);
  return { status, changes: check(report, 'breaking').changes ?? [] };
}

const names = (change: ClassifiedChange | undefined) => change?.usedBy.map((op) => op.name).sort();

describe('breaking-change check against the merge base with main (real CLI in a temporary repository)', () => {
  it('fails a removed field that an operation selects', () => {
    repo.edit(PRODUCTS_SDL, /\s+"Shipping weight in grams."\n\s+weightGrams: Int!/, '');
    // orders requires the weight; keep composition valid by dropping its use too.
    repo.edit(ORDERS_SDL, /\s+weightGrams: Int! @external/, '');
    repo.change(ORDERS_SDL, 'price { amountCents currency } weightGrams', 'price { amountCents currency }');

    const { status, changes: found } = changes();

    expect(status).toBe(1);
    const removed = found.find((c) => c.coordinate === 'Product.weightGrams');
    expect(removed).toMatchObject({ level: 'breaking', kind: 'FIELD_REMOVED', blocking: true });
    expect(names(removed)).toEqual(['CreateProduct']);
  });

  it('fails a changed field type', () => {
    repo.change(REVIEWS_SDL, 'rating: Int!\n  "The text of the review, 1 to 5,000 characters."', 'rating: Float!\n  "The text of the review, 1 to 5,000 characters."');

    const { status, changes: found } = changes();

    expect(status).toBe(1);
    const changed = found.find((c) => c.coordinate === 'Review.rating');
    expect(changed).toMatchObject({ level: 'breaking', kind: 'FIELD_TYPE_CHANGED', blocking: true });
    expect(names(changed)).toEqual(['AddReview', 'ProductPage', 'ProductPageById']);
  });

  it('fails a new required argument on a field that operations call', () => {
    repo.change(PRODUCTS_SDL, 'products(first: Int = 20, after: String, search: String)', 'products(first: Int = 20, after: String, search: String, currency: String!)');

    const { status, changes: found } = changes();

    expect(status).toBe(1);
    const added = found.find((c) => c.coordinate === 'Query.products.currency');
    expect(added).toMatchObject({ level: 'breaking', kind: 'FIELD_ARGUMENT_ADDED', blocking: true });
    expect(names(added)).toEqual(['ProductListing']);
  });

  it('fails a removed enum value of an enum that operations receive', () => {
    repo.change(ORDERS_SDL, /\s+"Could not be placed \(e\.g\. out of stock\); nothing was reserved\."\n\s+FAILED/, '');

    const { status, changes: found } = changes();

    expect(status).toBe(1);
    const removed = found.find((c) => c.coordinate === 'OrderStatus.FAILED');
    expect(removed).toMatchObject({ level: 'breaking', kind: 'ENUM_VALUE_REMOVED', blocking: true });
    expect(names(removed)).toEqual(['AccountPage', 'CancelOrder', 'OrderDetail', 'PlaceOrder']);
  });

  it('fails an input field made non-null, which breaks clients that leave it out', () => {
    repo.change(PRODUCTS_SDL, 'description: String\n  "Unit price in cents, 0 or more."', 'description: String!\n  "Unit price in cents, 0 or more."');

    const { status, changes: found } = changes();

    expect(status).toBe(1);
    const changed = found.find((c) => c.coordinate === 'CreateProductInput.description');
    expect(changed).toMatchObject({ level: 'breaking', kind: 'INPUT_FIELD_TYPE_CHANGED', blocking: true });
    expect(names(changed)).toEqual(['CreateProduct']);
  });

  it('reports a breaking change no operation uses and passes, then fails it with --strict', () => {
    repo.change(USERS_SDL, /\s+"A user by id, or null when there is none."\n\s+user\(id: ID!\): User/, '');

    const relaxed = changes();
    expect(relaxed.status).toBe(0);
    expect(relaxed.changes.find((c) => c.coordinate === 'Query.user')).toMatchObject({ level: 'breaking', kind: 'FIELD_REMOVED', usedBy: [], blocking: false });
    expect(repo.cli('check').stdout).toContain('used by no known operation: reported, does not fail (use --strict to fail)');

    const strict = changes('--strict');
    expect(strict.status).toBe(1);
    expect(strict.changes.find((c) => c.coordinate === 'Query.user')).toMatchObject({ blocking: true });
  });

  it('passes an optional field addition and lists it as safe, with where it was added', () => {
    repo.change(PRODUCTS_SDL, '  "Shipping weight in grams."', '  "The colour, if the product comes in one."\n  colour: String\n  "Shipping weight in grams."');

    const { status, changes: found } = changes();

    expect(status).toBe(0);
    expect(found).toEqual([expect.objectContaining({ level: 'safe', kind: 'FIELD_ADDED', coordinate: 'Product.colour', blocking: false, locations: [expect.objectContaining({ file: PRODUCTS_SDL, subgraph: 'products' })] })]);
    expect(repo.cli('check').stdout).toMatch(/SAFE\s+FIELD_ADDED\s+Field 'colour' was added to object type 'Product'/);
  });

  it('compares a feature branch with its merge base on main, not with main moving on', () => {
    repo.git('checkout', '--quiet', '-b', 'feature');
    repo.change(REVIEWS_SDL, 'rating: Int!\n  "The text of the review, 1 to 5,000 characters."', 'rating: Float!\n  "The text of the review, 1 to 5,000 characters."');
    repo.commit('feature: float ratings');
    repo.git('checkout', '--quiet', 'main');
    repo.change(USERS_SDL, /\s+"A user by id, or null when there is none."\n\s+user\(id: ID!\): User/, '');
    repo.commit('main: drop Query.user');
    repo.git('checkout', '--quiet', 'feature');

    const { changes: found } = changes();

    // Query.user was removed on main after the branch point: not this branch's change.
    expect(found.map((c) => c.coordinate)).toEqual(['Review.rating']);
  });

  it('uses --base <ref> and --base-file <path> as the baseline when given', () => {
    const baseline = repo.git('rev-parse', 'HEAD');
    repo.write('baseline-api.graphql', repo.read('schema/api.graphql'));
    repo.change(REVIEWS_SDL, 'rating: Int!\n  "The text of the review, 1 to 5,000 characters."', 'rating: Float!\n  "The text of the review, 1 to 5,000 characters."');
    repo.commit('float ratings');

    expect(changes().changes).toEqual([]);
    expect(changes('--base', baseline).changes.map((c) => c.coordinate)).toEqual(['Review.rating']);
    expect(changes('--base-file', repo.path('baseline-api.graphql')).changes.map((c) => c.coordinate)).toEqual(['Review.rating']);
  });
});

describe('breaking-change check without a baseline', () => {
  it('skips with a notice, and still runs the other checks, outside a git repository', () => {
    const bare = new TempRepo({ git: false });
    try {
      const { status, report } = bare.checkJson();
      expect(status).toBe(0);
      expect(check(report, 'breaking')).toMatchObject({ status: 'skip', findings: [expect.objectContaining({ severity: 'notice', code: 'NO_BASELINE' })] });
      expect(check(report, 'operations').status).toBe('pass');
    } finally {
      bare.remove();
    }
  });

  it('skips with a notice when the baseline commit has no schema/api.graphql yet', () => {
    const fresh = new TempRepo({ git: false });
    try {
      fresh.git('init', '--quiet', '--initial-branch=main');
      fresh.git('add', '--all', '--', '.', ':!schema/api.graphql');
      fresh.git('commit', '--quiet', '--message', 'before the API schema was committed');
      fresh.commit('commit the API schema');

      expect(check(fresh.checkJson().report, 'breaking').status).toBe('pass');
      const { status, report } = fresh.checkJson('--base', 'HEAD~1');
      expect(status).toBe(0);
      expect(check(report, 'breaking')).toMatchObject({ status: 'skip', summary: expect.stringContaining('schema/api.graphql does not exist at merge base of HEAD and HEAD~1') });
    } finally {
      fresh.remove();
    }
  });
});
