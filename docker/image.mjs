// The two steps of docker/Dockerfile that need more than one shell line, as a script so the tests
// can run exactly what the image build runs (docker/test/image-build.int.test.ts).
//
//   node docker/image.mjs prune <workspace dir> <out dir>   # in the repository root
//   node docker/image.mjs stage <pruned root> <workspace dir> <out dir>   # after the build
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join, relative } from 'node:path';

/**
 * Files a deployable reads at run time that live outside its workspace and outside dist/.
 * The router's default supergraph is `<project>/schema/supergraph.graphql` (router/src/supergraph.ts).
 */
export const RUNTIME_ASSETS = { router: ['schema/supergraph.graphql', 'schema/persisted-operations.json'] };

/** Root files the workspaces' builds need that `turbo prune` leaves out. */
export const BUILD_FILES = ['tsconfig.json'];

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

/**
 * `turbo prune --docker` for one workspace: out/json holds the manifests and the pruned lockfile
 * (the `npm ci` layer, cached until dependencies change), out/full the sources to build.
 */
export function prune(root, workspace, out) {
  const manifest = join(root, workspace, 'package.json');
  if (!existsSync(manifest)) throw new Error(`${workspace} is not a workspace (no ${manifest})`);
  const { name } = readJson(manifest);
  // The turbo the lockfile pins, so the image prunes like the checkout does.
  const turbo = readJson(join(root, 'package-lock.json')).packages['node_modules/turbo'].version;
  execFileSync('npx', ['--yes', `turbo@${turbo}`, 'prune', name, '--docker', `--out-dir=${out}`], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
  });
  for (const file of [...BUILD_FILES, ...(RUNTIME_ASSETS[workspace] ?? [])]) {
    const source = join(root, file);
    if (!existsSync(source)) throw new Error(`${workspace} needs ${file}, which is missing`);
    mkdirSync(dirname(join(out, 'full', file)), { recursive: true });
    cpSync(source, join(out, 'full', file));
  }
}

function graphqlFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.graphql'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * The workspace and the workspaces it needs at run time: its `dependencies`, followed through,
 * not its devDependencies (turbo prune keeps those too, e.g. the test helpers, for the build).
 */
export function productionWorkspaces(root, workspace) {
  const byName = new Map(
    readJson(join(root, 'package.json')).workspaces.map((dir) => [readJson(join(root, dir, 'package.json')).name, dir]),
  );
  const needed = new Set([workspace]);
  const queue = [workspace];
  while (queue.length > 0) {
    const { dependencies = {} } = readJson(join(root, queue.shift(), 'package.json'));
    for (const name of Object.keys(dependencies)) {
      const dir = byName.get(name);
      if (dir && !needed.has(dir)) {
        needed.add(dir);
        queue.push(dir);
      }
    }
  }
  return [...needed];
}

/**
 * Collects what the runtime image needs from a built, pruned tree: the dist/ of the workspace and
 * of the workspaces it needs at run time, their SDL files under src/ (subgraphs load
 * src/schema.graphql at start-up) and the runtime assets. Sources, tests and dev-only workspaces
 * stay behind.
 */
export function stage(root, workspace, out) {
  const workspaces = productionWorkspaces(root, workspace);
  const copied = [];
  const copy = (path) => {
    cpSync(join(root, path), join(out, path), { recursive: true });
    copied.push(path);
  };
  for (const workspace of workspaces) {
    if (!existsSync(join(root, workspace, 'dist'))) throw new Error(`${workspace} has no dist/: build it first`);
    copy(join(workspace, 'dist'));
    for (const file of graphqlFiles(join(root, workspace, 'src'))) copy(relative(root, file));
  }
  for (const file of RUNTIME_ASSETS[workspace] ?? []) copy(file);
  return copied;
}

const [command, ...args] = process.argv.slice(2);
if (command === 'prune' && args.length === 2) {
  prune(process.cwd(), args[0], args[1]);
} else if (command === 'stage' && args.length === 3) {
  for (const path of stage(args[0], args[1], args[2])) console.log(`staged ${path}`);
} else if (command !== undefined) {
  console.error('usage: node docker/image.mjs prune <workspace dir> <out dir> | stage <pruned root> <workspace dir> <out dir>');
  process.exit(2);
}
