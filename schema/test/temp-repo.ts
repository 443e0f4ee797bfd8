import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Report } from '../src/report/report';

/** The real repository this test runs in, and the CLI built from it (`npm test` builds first). */
export const REPO_ROOT = join(__dirname, '..', '..');
export const CLI = join(REPO_ROOT, 'schema', 'dist', 'cli.js');

interface ConfigFile {
  subgraphs: Array<{ schema: string }>;
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Committer identity and no user/system config, so the temp repository behaves the same everywhere. */
const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Schema Check Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Schema Check Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

/**
 * A throwaway repository laid out like this one (the four SDLs, the composition config, the
 * operations and freshly composed supergraph/API files), with the state of this repository
 * committed on `main` as the baseline.
 */
export class TempRepo {
  readonly root = mkdtempSync(join(tmpdir(), 'schema-check-'));

  constructor(options: { git?: boolean } = {}) {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build the schema workspace first (npm run build, or npx tsc -p tsconfig.build.json in schema/)`);
    this.write('package.json', JSON.stringify({ name: 'temp-storefront', private: true, workspaces: ['subgraphs/*', 'schema'] }, null, 2));
    const configText = readFileSync(join(REPO_ROOT, 'schema', 'subgraphs.json'), 'utf8');
    this.write('schema/subgraphs.json', configText);
    for (const { schema } of (JSON.parse(configText) as ConfigFile).subgraphs) this.write(schema, readFileSync(join(REPO_ROOT, schema), 'utf8'));
    cpSync(join(REPO_ROOT, 'schema', 'operations'), join(this.root, 'schema', 'operations'), { recursive: true });
    const composed = this.cli('compose');
    if (composed.status !== 0) throw new Error(`composing the baseline failed:\n${composed.stdout}${composed.stderr}`);
    if (options.git !== false) {
      this.git('init', '--quiet', '--initial-branch=main');
      this.commit('baseline');
    }
  }

  path(file: string): string {
    return join(this.root, file);
  }

  read(file: string): string {
    return readFileSync(this.path(file), 'utf8');
  }

  write(file: string, text: string): void {
    mkdirSync(dirname(this.path(file)), { recursive: true });
    writeFileSync(this.path(file), text);
  }

  /** Replaces text that must be there, so a test cannot silently edit nothing. */
  edit(file: string, from: string | RegExp, to: string): void {
    const before = this.read(file);
    const after = before.replace(from, to);
    if (after === before) throw new Error(`${file} does not contain ${String(from)}`);
    this.write(file, after);
  }

  git(...args: string[]): string {
    const run = spawnSync('git', args, { cwd: this.root, encoding: 'utf8', env: GIT_ENV });
    if (run.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${run.stderr}`);
    return run.stdout.trim();
  }

  commit(message: string): void {
    this.git('add', '--all');
    this.git('commit', '--quiet', '--message', message);
  }

  /** Runs the built CLI against this repository. */
  cli(command: 'compose' | 'check' | 'codegen', ...args: string[]): CliRun {
    const run = spawnSync(process.execPath, [CLI, command, '--root', this.root, ...args], { cwd: this.root, encoding: 'utf8', env: GIT_ENV });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  }

  /** Runs `check --format json` and parses the report. */
  checkJson(...args: string[]): { status: number | null; report: Report } {
    const run = this.cli('check', '--format', 'json', ...args);
    try {
      return { status: run.status, report: JSON.parse(run.stdout) as Report };
    } catch {
      throw new Error(`check did not print JSON (exit ${run.status}):\n${run.stdout}${run.stderr}`);
    }
  }

  /** Edits a subgraph, then composes, so only the change itself is checked (not drift). */
  change(file: string, from: string | RegExp, to: string): void {
    this.edit(file, from, to);
    const composed = this.cli('compose');
    if (composed.status !== 0) throw new Error(`compose failed after editing ${file}:\n${composed.stdout}${composed.stderr}`);
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export const PRODUCTS_SDL = 'subgraphs/products/src/schema.graphql';
export const REVIEWS_SDL = 'subgraphs/reviews/src/schema.graphql';
export const ORDERS_SDL = 'subgraphs/orders/src/schema.graphql';
export const USERS_SDL = 'subgraphs/users/src/schema.graphql';

export function check(report: Report, id: Report['checks'][number]['id']) {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no ${id} check in the report`);
  return found;
}
