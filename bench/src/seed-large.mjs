#!/usr/bin/env node
// `npm run seed:large --workspace @storefront/bench [-- --force] [--plan scale1k|scale100k]`: the
// large data set (10,000 products, 200,000 reviews, 20,000 users, 20,000 orders) in
// `<BENCH_DB_PREFIX><name>` databases on MYSQL_URL, seeded by each subgraph's own dist started
// with SEED=large; or, with --plan, one of the scale part's sets in its own databases
// (`bench1k_…`, `bench100k_…`). Databases that already hold the set are kept; --force (or
// BENCH_RESEED=1) drops and seeds them again.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfig } from './config.mjs';
import { ensureSeed, planPrefix } from './seed-cache.mjs';
import { SUBGRAPHS } from './paths.mjs';

const config = (() => {
  try {
    return readConfig();
  } catch (error) {
    process.stderr.write(`${/** @type {Error} */ (error).message}\n`);
    process.exit(2);
  }
})();
const force = process.argv.includes('--force') || process.env.BENCH_RESEED === '1';
const planArg = process.argv[process.argv.indexOf('--plan') + 1];
const plan = /** @type {import('./seed-cache.mjs').PlanName} */ (process.argv.includes('--plan') ? planArg : 'large');
if (!['large', 'scale1k', 'scale100k'].includes(plan)) {
  process.stderr.write(`--plan must be large, scale1k or scale100k, got "${planArg}"\n`);
  process.exit(2);
}
const prefix = planPrefix(config.dbPrefix, plan);
const log = (/** @type {string} */ line) => process.stderr.write(`[seed:large] ${line}\n`);
for (const name of SUBGRAPHS) {
  const entry = join(config.root, 'subgraphs', name, 'dist', 'index.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
}
const runDir = mkdtempSync(join(tmpdir(), 'storefront-seed-'));
mkdirSync(join(runDir, 'data'));
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
try {
  const result = await ensureSeed({
    mysqlUrl: config.mysqlUrl,
    prefix,
    plan,
    root: config.root,
    runDir,
    baseEnv: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'development',
      JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      DATA_DIR: join(runDir, 'data'),
      SERVICE_SECRET: randomBytes(32).toString('hex'),
    },
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    log,
    force,
  });
  const server = new URL(config.mysqlUrl);
  server.password = server.password ? '***' : '';
  log(`${result.server}: ${SUBGRAPHS.map((n) => `${prefix}${n}`).join(', ')} hold the ${plan} set.`);
  log(`Run the whole stack on it with: MYSQL_URL=${server.toString().replace(/\/$/, '')} MYSQL_DATABASE_PREFIX=${prefix} npm start`);
  rmSync(runDir, { recursive: true, force: true });
} catch (error) {
  log(`failed: ${/** @type {Error} */ (error).message} (logs in ${runDir})`);
  process.exitCode = 1;
}
