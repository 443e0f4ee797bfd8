/**
 * The image build without a Docker engine: the same prune and stage steps the Dockerfile runs
 * (docker/image.mjs), the same turbo build, then the staged runtime tree started as the container
 * starts it. `npm ci` is the one step stood in for: the checkout's installed packages are linked
 * in, with the workspace links pointing into the pruned tree, as npm would make them.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, testKeys, type TestDatabase } from '@storefront/testing';
import { repo, ROOT } from './support/services';

jest.setTimeout(240_000);

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const quiet = { stdio: ['ignore', 'pipe', 'pipe'] as ('ignore' | 'pipe')[], env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' } };

/** node_modules as `npm ci` would lay it out for a pruned tree: workspace links into the tree. */
function linkNodeModules(tree: string): void {
  const target = join(tree, 'node_modules');
  mkdirSync(join(target, '@storefront'), { recursive: true });
  for (const entry of readdirSync(repo('node_modules'))) {
    if (entry === '@storefront' || entry === '.package-lock.json') continue;
    symlinkSync(repo('node_modules', entry), join(target, entry));
  }
  for (const workspace of readJson(join(tree, 'package.json')).workspaces as string[]) {
    const { name } = readJson(join(tree, workspace, 'package.json')) as { name: string };
    symlinkSync(join('..', '..', workspace), join(target, name));
    // Packages npm nests under a workspace (a version the root cannot hoist, e.g. jose for the kit).
    if (existsSync(repo(workspace, 'node_modules'))) symlinkSync(repo(workspace, 'node_modules'), join(tree, workspace, 'node_modules'));
  }
}

/** The bare package names a compiled file requires. */
function requiredPackages(file: string): string[] {
  const names = new Set<string>();
  for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)) {
    if (specifier!.startsWith('.') || specifier!.startsWith('node:') || builtinModules.includes(specifier!)) continue;
    const parts = specifier!.split('/');
    names.add(specifier!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
  }
  return [...names];
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** The HEALTHCHECK, retried like Docker does during the start period. */
async function healthy(runtime: string, port: number, path: string, deadlineMs = 60_000): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    const probe = spawn(process.execPath, [join(runtime, 'healthcheck.mjs'), path], { env: { PATH: process.env.PATH, PORT: String(port) }, stdio: 'ignore' });
    if ((await exitCode(probe)) === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

interface Built {
  work: string;
  runtime: string;
  staged: string[];
}

/** prune → build → stage → runtime tree, as docker/Dockerfile's stages do. */
function buildImageTree(workspace: string): Built {
  const work = mkdtempSync(join(tmpdir(), 'storefront-image-'));
  const out = join(work, 'out');
  execFileSync(process.execPath, [repo('docker', 'image.mjs'), 'prune', workspace, out], { ...quiet, cwd: ROOT });
  const build = join(work, 'build');
  cpSync(join(out, 'json'), build, { recursive: true });
  cpSync(join(out, 'full'), build, { recursive: true });
  linkNodeModules(build);
  execFileSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], { ...quiet, cwd: build });
  const staging = join(work, 'staging');
  const staged = execFileSync(process.execPath, [repo('docker', 'image.mjs'), 'stage', build, workspace, staging], { ...quiet, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((line) => line.replace(/^staged /, ''));
  const runtime = join(work, 'runtime');
  cpSync(join(out, 'json'), runtime, { recursive: true });
  cpSync(staging, runtime, { recursive: true });
  cpSync(repo('docker', 'healthcheck.mjs'), join(runtime, 'healthcheck.mjs'));
  linkNodeModules(runtime);
  return { work, runtime, staged };
}

function start(runtime: string, workspace: string, env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['dist/index.js'], {
    cwd: join(runtime, workspace),
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return { child, output: () => output };
}

describe.each([
  // users: the subgraph with the most run-time needs (its SDL, token keys, a database).
  { workspace: 'subgraphs/users', sdl: 'subgraphs/users/src/schema.graphql' },
  // router: reads its default supergraph from outside its workspace.
  { workspace: 'router', sdl: 'schema/supergraph.graphql' },
])('the $workspace image, built without Docker', ({ workspace, sdl }) => {
  let built: Built;
  let database: TestDatabase | undefined;
  let running: ReturnType<typeof start> | undefined;

  beforeAll(() => {
    built = buildImageTree(workspace);
  });

  afterAll(async () => {
    if (running && running.child.exitCode === null) {
      running.child.kill('SIGKILL');
      await exitCode(running.child);
    }
    await database?.drop();
    rmSync(built.work, { recursive: true, force: true });
  });

  it('prunes to the workspace and what it needs, builds, and stages only the run-time workspaces\' compiled code and SDL', () => {
    const pruned = readJson(join(built.runtime, 'package.json')).workspaces as string[];
    expect(pruned).toEqual(expect.arrayContaining(['packages/kit', workspace]));
    expect(pruned.every((dir) => dir.startsWith('packages/') || dir === workspace)).toBe(true);
    const assets = workspace === 'router' ? [sdl, 'schema/persisted-operations.json'] : [sdl];
    expect(built.staged.sort()).toEqual([join(workspace, 'dist'), join('packages/kit', 'dist'), ...assets].sort());
    expect(existsSync(join(built.runtime, workspace, 'src', 'index.ts'))).toBe(false);
  });

  it('needs no dev dependency at run time, so `npm ci --omit=dev` is enough', () => {
    const problems: string[] = [];
    for (const ws of ['packages/kit', workspace]) {
      const { dependencies = {} } = readJson(join(built.runtime, ws, 'package.json')) as { dependencies?: Record<string, string> };
      const files = readdirSync(join(built.runtime, ws, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
      for (const file of files) {
        for (const name of requiredPackages(join(built.runtime, ws, 'dist', file))) {
          if (!(name in dependencies)) problems.push(`${ws}/dist/${file} requires ${name}, not a dependency of ${ws}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('starts as the container does, passes its HEALTHCHECK and readiness, and exits 0 on SIGTERM', async () => {
    const keys = testKeys();
    const port = await freePort();
    const env: Record<string, string> = {
      NODE_ENV: 'production',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      JWT_PUBLIC_KEY: keys.publicKeyPem,
      SERVICE_SECRET: 'a-test-service-secret-of-32-characters-at-least',
    };
    if (workspace === 'subgraphs/users') {
      database = await createTestDatabase('image_users');
      Object.assign(env, { DATABASE_URL: database.url, JWT_PRIVATE_KEY: keys.privateKeyPem });
    }
    // The router gets no SUPERGRAPH_PATH: it must find the supergraph the image ships.
    running = start(built.runtime, workspace, env);
    const ok = await healthy(built.runtime, port, '/health');
    if (!ok) throw new Error(`${workspace} did not become healthy:\n${running.output()}`);
    expect(await healthy(built.runtime, port, '/ready', 10_000)).toBe(true);
    running.child.kill('SIGTERM');
    expect(await exitCode(running.child)).toBe(0);
    // The project root's .data, which the Dockerfile creates writable for the node user.
    expect(existsSync(join(built.runtime, '.data'))).toBe(true);
  });
});
