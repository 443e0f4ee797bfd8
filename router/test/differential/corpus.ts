import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { deterministicId } from '@storefront/kit';
import { Kind, parse } from 'graphql';
import type { GraphQLRequest } from './compare';

const ROOT = join(__dirname, '..', '..', '..');

export interface CorpusEntry {
  label: string;
  request: GraphQLRequest;
  /** The bearer token sent, if any. */
  token?: string;
  /**
   * Mutations run once first (the answer thrown away), then through each router in turn: every
   * one here is idempotent or refused on a retry (same idempotency key, a taken email, a second
   * review of one product), so both routers see the same state and owe the same answer.
   */
  mutation: boolean;
}

/** Who calls: demo user n (1 is the admin). */
export type TokenFor = (n: number) => Promise<string>;

interface Variant {
  variables: Record<string, unknown>;
  as?: number;
}

const product = (n: number) => deterministicId('product', n);

/** Variables for every operation of `schema/operations/`, on the demo data; a new operation needs an entry here. */
const VARIANTS: Record<string, Variant[]> = {
  AccountPage: [{ variables: { ordersFirst: 3 }, as: 2 }, { variables: {} }, { variables: { ordersFirst: 0 }, as: 1 }],
  OrderDetail: [
    { variables: { id: deterministicId('order', 2) }, as: 2 },
    { variables: { id: deterministicId('order', 3) }, as: 2 },
    { variables: { id: deterministicId('order', 5) }, as: 1 },
  ],
  ProductListing: [{ variables: { first: 5 } }, { variables: { first: 3, search: 'Mug' } }, { variables: { first: 2, after: 'not-a-cursor' } }],
  ProductPage: [{ variables: { sku: 'SKU-00003' } }, { variables: { sku: 'SKU-99999' } }, { variables: { sku: 'SKU-00010', reviewsFirst: 1 } }],
  ProductPageById: [{ variables: { id: product(4), reviewsFirst: 2 } }, { variables: { id: 'not-a-uuid' } }],
  CreateProduct: [
    { variables: { input: { sku: 'SKU-00001', name: 'Taken', priceCents: 100, stock: 1, weightGrams: 10 } }, as: 1 },
    { variables: { input: { sku: 'SKU-DIFF-1', name: 'Not mine', priceCents: 100, stock: 1, weightGrams: 10 } }, as: 2 },
  ],
  SetStock: [{ variables: { productId: product(5), stock: 42 }, as: 1 }],
  SignIn: [{ variables: { email: 'user3@example.com', password: 'not-the-password' } }],
  SignUp: [{ variables: { input: { name: 'Diff Tester', email: 'differential@example.com', password: 'differential-password' } } }],
  PlaceOrder: [{ variables: { input: { items: [{ productId: product(6), quantity: 1 }], idempotencyKey: 'differential-order-1' } }, as: 3 }],
  CancelOrder: [{ variables: { id: deterministicId('order', 4) }, as: 4 }],
  AddReview: [{ variables: { input: { productId: product(50), rating: 4, body: 'A differential review' } }, as: 2 }],
};

/** Operation names defined in `schema/operations/**.graphql`. */
function operationFileNames(): string[] {
  const dir = join(ROOT, 'schema', 'operations');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.graphql'));
  return files.flatMap((f) =>
    parse(readFileSync(join(dir, f), 'utf8')).definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION && d.name ? [d.name.value] : [])),
  );
}

/** Every operation of the persisted-operations manifest (generated from `schema/operations/`), with its variants. */
async function manifestEntries(token: TokenFor): Promise<CorpusEntry[]> {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'schema', 'persisted-operations.json'), 'utf8')) as {
    operations: { name: string; type: string; body: string }[];
  };
  const inManifest = manifest.operations.map((o) => o.name).sort();
  const inFiles = operationFileNames().sort();
  if (JSON.stringify(inManifest) !== JSON.stringify(inFiles)) throw new Error(`manifest ${inManifest} is not schema/operations ${inFiles}`);
  const entries: CorpusEntry[] = [];
  for (const op of manifest.operations) {
    const variants = VARIANTS[op.name];
    if (!variants) throw new Error(`no variables for ${op.name}: add it to VARIANTS in ${__filename}`);
    for (const [i, v] of variants.entries()) {
      entries.push({
        label: `schema/operations ${op.name} #${i}`,
        request: { query: op.body, operationName: op.name, variables: v.variables },
        token: v.as ? await token(v.as) : undefined,
        mutation: op.type === 'mutation',
      });
    }
  }
  return entries;
}

/** The bench's four queries, built by `bench/src/queries.mjs` itself (an ES module, so in a child node). */
async function benchEntries(privateKeyPem: string): Promise<CorpusEntry[]> {
  const script = `
    import { createPrivateKey } from 'node:crypto';
    const { buildQueries } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'bench', 'src', 'queries.mjs')).href)});
    const queries = await buildQueries(createPrivateKey(process.env.BENCH_KEY), { catalogue: 50 });
    process.stdout.write(JSON.stringify(queries.map((q) => ({ id: q.id, title: q.title, request: q.requests[0] }))));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: join(ROOT, 'bench'),
    env: { ...process.env, BENCH_KEY: privateKeyPem },
  });
  const queries = JSON.parse(stdout) as { id: string; title: string; request: { body: string; headers: Record<string, string> } }[];
  if (queries.length !== 4) throw new Error(`expected the bench's four queries, got ${queries.length}`);
  return queries.map((q) => ({
    label: `bench (${q.id}) ${q.title}`,
    request: JSON.parse(q.request.body) as GraphQLRequest,
    token: q.request.headers.authorization?.replace(/^Bearer /, ''),
    mutation: false,
  }));
}

/** The README's example query ("A query across all four"), read from the README. */
function readmeEntry(): CorpusEntry {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const query = /```graphql\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!query) throw new Error('README.md has no graphql example');
  return { label: 'README example', request: { query }, mutation: false };
}

/** The corpus for our supergraph: client operations, the bench queries and the README's example. */
export async function supergraphCorpus(token: TokenFor, privateKeyPem: string): Promise<CorpusEntry[]> {
  return [...(await manifestEntries(token)), ...(await benchEntries(privateKeyPem)), readmeEntry()];
}
