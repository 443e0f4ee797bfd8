/**
 * scripts/mysql-setup.mjs against the real MySQL/MariaDB of MYSQL_URL: databases and one user per
 * subgraph with rights on its own database only, proven with real connections as those users.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startSubgraph, type RunningSubgraph } from '@storefront/kit';
import { MYSQL_URL, testSubgraphEnv } from '@storefront/testing';
import { productsSubgraph } from '../../subgraphs/products/src/server';
import { connect, dropAll, uniquePrefix, SUBGRAPH_NAMES } from './support/mysql';
import { describeOwnership } from './support/ownership';
import { repo } from './support/services';

jest.setTimeout(60_000);

const run = promisify(execFile);
const prefix = uniquePrefix('setup');

/** Runs the command as an operator would; returns the printed URLs by subgraph and stderr. */
async function setup(args: string[] = [], env: Record<string, string> = {}) {
  const { stdout, stderr } = await run(process.execPath, [repo('scripts', 'mysql-setup.mjs'), '--prefix', prefix, ...args], {
    env: { PATH: process.env.PATH, MYSQL_ADMIN_URL: MYSQL_URL, ...env },
  });
  const urls = Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .map((line) => /^([A-Z]+)_DATABASE_URL=(.+)$/.exec(line)!)
      .map(([, name, url]) => [name!.toLowerCase(), url!]),
  ) as Record<(typeof SUBGRAPH_NAMES)[number], string>;
  return { urls, stderr };
}

let first: Awaited<ReturnType<typeof setup>>;

afterAll(() => dropAll(prefix));

describe('scripts/mysql-setup.mjs', () => {
  describeOwnership(async () => {
    first = await setup();
    return { prefix, urls: first.urls };
  });

  it('says that the generated passwords are shown only once', () => {
    expect(first.stderr).toContain('shown once');
  });

  it('is safe to run again: databases and passwords are kept, so running services stay connected', async () => {
    const again = await setup();
    expect(Object.values(again.urls).every((url) => url.includes(':<unchanged>@'))).toBe(true);
    const connection = await connect(first.urls.products);
    await connection.end();
  });

  it('sets a password given in the environment, and --rotate replaces the others', async () => {
    const given = 'given-products-password-123';
    const { urls } = await setup(['--rotate'], { PRODUCTS_DB_PASSWORD: given });
    expect(decodeURIComponent(new URL(urls.products).password)).toBe(given);
    expect(urls.users).not.toBe(first.urls.users);
    await (await connect(urls.products)).end();
    await (await connect(urls.users)).end();
    first = { ...first, urls };
  });

  it('lets the products subgraph start on its URL: migrations apply with these rights, and /ready answers', async () => {
    let subgraph: RunningSubgraph | undefined;
    try {
      subgraph = await startSubgraph(productsSubgraph, testSubgraphEnv({ DATABASE_URL: first.urls.products }));
      expect((await fetch(`http://127.0.0.1:${subgraph.port}/ready`)).status).toBe(200);
    } finally {
      await subgraph?.close();
    }
  });

  it('refuses a prefix that would make a user name longer than MySQL allows', async () => {
    await expect(setup(['--prefix', 'p'.repeat(30)])).rejects.toMatchObject({ stderr: expect.stringContaining('too long') });
  });

  it('refuses to run without an admin URL, and explains how to give one', async () => {
    await expect(run(process.execPath, [repo('scripts', 'mysql-setup.mjs')], { env: { PATH: process.env.PATH } })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('MYSQL_ADMIN_URL'),
    });
  });
});
