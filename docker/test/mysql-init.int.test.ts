/**
 * docker/mysql/init/10-storefront.sh, the compose stack's MySQL init script, run as the mysql
 * image's entrypoint runs it (sourced, with docker_process_sql) against the real MySQL/MariaDB
 * of MYSQL_URL; then the DATABASE_URLs compose.yml gives the subgraphs are used to connect.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MYSQL_URL } from '@storefront/testing';
import { environmentOf, loadCompose, parseDotenv } from './support/compose';
import { asAdmin, dropAll, uniquePrefix, SUBGRAPH_NAMES } from './support/mysql';
import { describeOwnership } from './support/ownership';
import { repo } from './support/services';

jest.setTimeout(60_000);

const run = promisify(execFile);
const SCRIPT = repo('docker', 'mysql', 'init', '10-storefront.sh');
const prefix = uniquePrefix('init');

/** docker/.env as make-secrets.mjs writes it. */
async function madeEnv(): Promise<Record<string, string>> {
  const out = join(mkdtempSync(join(tmpdir(), 'storefront-env-')), '.env');
  await run(process.execPath, [repo('docker', 'make-secrets.mjs'), 'compose', '--out', out]);
  return parseDotenv(readFileSync(out, 'utf8'));
}

/** Sources the script in a clean sh, the entrypoint's docker_process_sql pointed at MYSQL_URL. */
function runInit(env: Record<string, string>) {
  const shim = `docker_process_sql() { "${process.execPath}" "${join(__dirname, 'support', 'run-sql.mjs')}"; }`;
  return run('sh', ['-c', `${shim}\n. "${SCRIPT}"`], { env: { PATH: process.env.PATH, MYSQL_ADMIN_URL: MYSQL_URL, ...env } });
}

const databasesWithPrefix = (p: string) =>
  asAdmin(async (c) => {
    const [rows] = await c.query('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE LEFT(SCHEMA_NAME, ?) = ?', [p.length, p]);
    return (rows as { name: string }[]).map((r) => r.name);
  });

let env: Record<string, string>;

afterAll(() => dropAll(prefix));

describe('docker/mysql/init/10-storefront.sh with the DATABASE_URLs of docker/compose.yml', () => {
  describeOwnership(async () => {
    env = { ...(await madeEnv()), MYSQL_DATABASE_PREFIX: prefix };
    const mysqlEnv = environmentOf(loadCompose(repo('docker', 'compose.yml'), env).file.services.mysql!);
    await runInit(mysqlEnv);
    // The URLs exactly as compose hands them to the subgraphs, with the mysql service's address
    // replaced by this machine's server.
    const server = new URL(MYSQL_URL);
    const { file } = loadCompose(repo('docker', 'compose.yml'), env);
    const urls = Object.fromEntries(
      SUBGRAPH_NAMES.map((name) => {
        const url = new URL(environmentOf(file.services[name]!).DATABASE_URL!);
        url.host = server.host;
        return [name, url.toString()];
      }),
    ) as Record<(typeof SUBGRAPH_NAMES)[number], string>;
    return { prefix, urls };
  });

  it('is not executable, so the entrypoint sources it and it can use docker_process_sql', async () => {
    const { stdout } = await run('sh', ['-c', `[ -x "${SCRIPT}" ] && echo executable || echo sourced`]);
    expect(stdout.trim()).toBe('sourced');
  });

  it('can run again (a re-created container on an existing volume) without failing', async () => {
    const mysqlEnv = environmentOf(loadCompose(repo('docker', 'compose.yml'), env).file.services.mysql!);
    await expect(runInit(mysqlEnv)).resolves.toMatchObject({ stdout: expect.stringContaining('created databases and users') });
  });

  it('stops the first start, creating nothing, when a password is missing', async () => {
    const other = uniquePrefix('init_missing');
    const partial = { MYSQL_DATABASE_PREFIX: other, USERS_DB_PASSWORD: 'a-long-enough-password-1' };
    await expect(runInit(partial)).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('PRODUCTS_DB_PASSWORD is not set') });
    expect(await databasesWithPrefix(other)).toEqual([]);
  });

  it('refuses a password that is not URL-safe, which could break out of the SQL string', async () => {
    const other = uniquePrefix('init_quote');
    const passwords = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [`${n.toUpperCase()}_DB_PASSWORD`, 'a-long-enough-password-1']));
    const hostile = { ...passwords, MYSQL_DATABASE_PREFIX: other, ORDERS_DB_PASSWORD: "x'; DROP DATABASE mysql; -- long enough" };
    await expect(runInit(hostile)).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('must be URL-safe') });
    expect(await databasesWithPrefix(other)).toEqual([]);
  });

  it('refuses a prefix that is not a plain name', async () => {
    const passwords = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [`${n.toUpperCase()}_DB_PASSWORD`, 'a-long-enough-password-1']));
    await expect(runInit({ ...passwords, MYSQL_DATABASE_PREFIX: 'x`; DROP' })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('MYSQL_DATABASE_PREFIX may only hold'),
    });
  });
});
