#!/usr/bin/env node
// `npm run snapshot --workspace @storefront/bench [-- <rev>]`: a built copy of a commit (default
// HEAD) to benchmark with BENCH_ROOT, e.g. to compare two commits lever by lever, or to measure
// the committed code while the working tree is being edited. Read-only for the repository: the
// files come from `git archive`; dependencies are this checkout's node_modules, linked.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from './paths.mjs';

/** The workspaces a benchmark needs, in build order. */
const WORKSPACES = ['packages/kit', 'router', 'subgraphs/users', 'subgraphs/products', 'subgraphs/reviews', 'subgraphs/orders'];

const rev = process.argv[2] ?? 'HEAD';
/** @param {string[]} args */
const git = (args) => execFileSync('git', ['-C', projectRoot, ...args], { encoding: 'utf8' }).trim();
const commit = git(['rev-parse', '--short', `${rev}^{commit}`]);
const subject = git(['log', '-1', '--format=%s', commit]);
const root = join(process.env.BENCH_SNAPSHOT_DIR ?? tmpdir(), `storefront-snapshot-${commit}`);

rmSync(root, { recursive: true, force: true });
mkdirSync(root, { recursive: true });
// The archive is several MB: past execFileSync's default 1 MB output buffer.
const archive = execFileSync('git', ['-C', projectRoot, 'archive', commit, 'tsconfig.json', 'package.json', 'packages', 'router', 'schema', 'subgraphs'], {
  maxBuffer: 512 * 1024 * 1024,
});
execFileSync('tar', ['-x', '-C', root], { input: archive });

// Every dependency from this checkout, except our own workspaces, which must be the snapshot's.
mkdirSync(join(root, 'node_modules', '@storefront'), { recursive: true });
for (const entry of readdirSync(join(projectRoot, 'node_modules'))) {
  if (entry !== '@storefront') symlinkSync(join(projectRoot, 'node_modules', entry), join(root, 'node_modules', entry));
}
for (const workspace of readdirSync(join(root, 'packages')).map((p) => `packages/${p}`).concat('router', 'schema', ...readdirSync(join(root, 'subgraphs')).map((s) => `subgraphs/${s}`))) {
  const name = workspace.split('/').at(-1) ?? workspace;
  symlinkSync(join(root, workspace), join(root, 'node_modules', '@storefront', name));
  const own = join(projectRoot, workspace, 'node_modules');
  if (existsSync(own)) symlinkSync(own, join(root, workspace, 'node_modules'));
}

const tsc = join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');
for (const workspace of WORKSPACES) {
  process.stderr.write(`[snapshot] building ${workspace} of ${commit}…\n`);
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: join(root, workspace), stdio: 'inherit' });
}
writeFileSync(join(root, '.bench-source'), `${commit} (${subject})`);
process.stdout.write(`${root}\n`);
process.stderr.write(`[snapshot] benchmark it with: BENCH_ROOT=${root} npm run bench\n`);
