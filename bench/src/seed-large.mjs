#!/usr/bin/env node
// `npm run seed:large --workspace @storefront/bench [-- --force]`: the large data set (10,000
// products, 200,000 reviews, 20,000 users, 20,000 orders) in `<BENCH_DB_PREFIX><name>` databases
// on MYSQL_URL, seeded by each subgraph's own dist started with SEED=large. Databases that
// already hold the set are kept; --force (or BENCH_RESEED=1) drops and seeds them again.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfig } from './config.mjs';
import { ensureLargeSeed } from './large-seed.mjs';
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
const log = (/** @type {string} */ line) => process.stderr.write(`[seed:large] ${line}\n`);
for (const name of SUBGRAPHS) {
  const entry = join(config.root, 'subgraphs', name, 'dist', 'index.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
}
const runDir = mkdtempSync(join(tmpdir(), 'storefront-seed-'));
mkdirSync(join(runDir, 'data'));
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
try {
  const result = await ensureLargeSeed({
    mysqlUrl: config.mysqlUrl,
    prefix: config.dbPrefix,
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
  log(`${result.server}: ${SUBGRAPHS.map((n) => `${config.dbPrefix}${n}`).join(', ')} hold the large set.`);
  log(`Run the whole stack on it with: MYSQL_URL=${server.toString().replace(/\/$/, '')} MYSQL_DATABASE_PREFIX=${config.dbPrefix} npm start`);
  rmSync(runDir, { recursive: true, force: true });
} catch (error) {
  log(`failed: ${/** @type {Error} */ (error).message} (logs in ${runDir})`);
  process.exitCode = 1;
}
