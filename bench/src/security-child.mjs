// Child process of the security part (security-costs.mjs), pinned where our router runs: each
// stage of the router's per-request security work, its real code from the measured checkout's
// router/dist and packages/kit/dist, in a tight loop on the benchmark's own requests. Sends
// { type: 'results', stages, fetches } over IPC.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { buildSchema, getOperationAST, parse } from 'graphql';
import { buildQueries } from './queries.mjs';
import { captureFetches } from './security-inputs.mjs';
import { stagesOf } from './security-stages.mjs';

if (!process.send) throw new Error('The security part runs as a child of the benchmark (IPC channel expected)');
const send = process.send.bind(process);
process.on('disconnect', () => process.exit(0));

const root = /** @type {string} */ (process.env.BENCH_ROOT);
const supergraphSdl = readFileSync(/** @type {string} */ (process.env.SUPERGRAPH_PATH), 'utf8');
const budgetMs = Number(process.env.BENCH_SECURITY_MS ?? 600);
/** @param {string} file */
const load = (file) => import(pathToFileURL(join(root, file)).href);
const kit = await load('packages/kit/dist/index.js');
const router = {
  context: await load('router/dist/context.js'),
  rateLimit: await load('router/dist/rate-limit.js'),
  guard: await load('router/dist/operation-guard.js'),
  authorization: await load('router/dist/authorization.js'),
  limits: await load('router/dist/operation-limits.js'),
  cache: await load('router/dist/response-cache.js'),
  warmup: await load('router/dist/plan-warmup.js'),
};

const { privateKey, publicKey } = kit.keyPairFromPem(process.env.BENCH_SECURITY_KEY);
const queries = await buildQueries(privateKey);
const apiSchema = buildSchema(readFileSync(join(root, 'schema', 'api.graphql'), 'utf8'));
/** The bench's requests as the router gets them: (a)–(c) anonymous, (d) signed in. */
const requests = queries.map((q) => {
  const first = /** @type {{ body: string, headers: Record<string, string> }} */ (q.requests[0]);
  const { variables } = JSON.parse(first.body);
  const document = parse(q.query);
  return {
    id: q.id,
    query: q.query,
    operationName: q.operationName,
    variables,
    document,
    operation: /** @type {import('graphql').OperationDefinitionNode} */ (getOperationAST(document, q.operationName)),
    /** Every request's Authorization header, in the benchmark's rotation (200 shoppers for (d)). */
    authorizations: q.requests.map((r) => r.headers.authorization).filter((a) => a !== undefined),
  };
});
const shopperToken = /** @type {string} */ (requests.find((r) => r.id === 'd')?.authorizations[0]);
const shopper = await kit.verifyToken(publicKey, shopperToken.slice('Bearer '.length));
const captured = await captureFetches({
  root,
  supergraphSdl,
  kit,
  requests: [
    ...requests.map((r) => ({ ...r, caller: r.authorizations.length ? shopper : null })),
    // (d) sent without a token: the one case of the four with a field taken out (User.orders).
    ...requests.filter((r) => r.id === 'd').map((r) => ({ ...r, id: 'd-anonymous', caller: null })),
  ],
});

const stages = stagesOf({ kit, router, requests, captured, apiSchema, supergraphSdl, publicKey, privateKey, shopper });
/** @type {import('./security-costs.mjs').StageResult[]} */
const results = [];
for (const { run, ...stage } of stages) results.push({ ...stage, ...(await measure(run, budgetMs)) });
send({
  type: 'results',
  stages: results,
  fetches: Object.fromEntries([...captured].map(([id, c]) => [id, c.fetches.map((f) => ({ subgraph: f.subgraph, bytes: Buffer.byteLength(f.body) }))])),
});

/**
 * Median µs per call over batches of about 10 ms, after a warm-up of a third of the budget: wall
 * time (performance.now) and CPU time (process.cpuUsage, user + system) of the same batches.
 * @param {(i: number) => unknown} run @param {number} budgetMs
 */
async function measure(run, budgetMs) {
  const isAsync = run(0) instanceof Promise;
  /** @param {number} n @param {number} from */
  const batch = async (n, from) => {
    const wall = performance.now();
    const cpu = process.cpuUsage();
    if (isAsync) for (let i = from; i < from + n; i++) await run(i);
    else for (let i = from; i < from + n; i++) run(i);
    const used = process.cpuUsage(cpu);
    return { wallUs: ((performance.now() - wall) * 1000) / n, cpuUs: (used.user + used.system) / n };
  };
  let size = 16;
  let calls = 0;
  const warmUntil = performance.now() + budgetMs / 3;
  while (performance.now() < warmUntil) {
    const { wallUs } = await batch(size, calls);
    calls += size;
    size = Math.max(1, Math.round(10_000 / Math.max(wallUs, 0.01)));
  }
  /** @type {{ wallUs: number, cpuUs: number }[]} */
  const samples = [];
  const until = performance.now() + (budgetMs * 2) / 3;
  while (performance.now() < until || samples.length < 5) {
    samples.push(await batch(size, calls));
    calls += size;
  }
  /** @param {number[]} values */
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  return { wallUs: median(samples.map((s) => s.wallUs)), cpuUs: median(samples.map((s) => s.cpuUs)), calls };
}
