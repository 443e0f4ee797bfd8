import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildSchema, type GraphQLSchema } from 'graphql';
import { git } from '../git';
import { API_FILE } from '../paths';

export interface BaselineOptions {
  /** The baseline is the API schema committed at the merge base of HEAD and this ref. @default main, else origin/main */
  base?: string;
  /** A file holding the baseline API schema. */
  baseFile?: string;
}

/**
 * The baseline API schema, or why there is none. `skip` is for a repository that cannot have one
 * (no history, no main, no file yet): a notice. `error` is for a baseline that was asked for and
 * cannot be read: that fails the check.
 */
export type Baseline =
  | { kind: 'found'; label: string; sdl: string }
  | { kind: 'skip'; reason: string }
  | { kind: 'error'; reason: string };

/** Branches whose merge base with HEAD is the default baseline; CI checkouts only have the remote one. */
const DEFAULT_BRANCHES = ['main', 'origin/main'];

function resolveCommit(root: string, ref: string): string | undefined {
  const run = git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  return run.ok ? run.stdout.trim() : undefined;
}

/** The merge base of HEAD and the first of `refs` that exists, so changes made on the base branch since do not count. */
function mergeBase(root: string, refs: readonly string[]): { commit: string; label: string } | { reason: string } {
  if (!resolveCommit(root, 'HEAD')) return { reason: 'the repository has no commits yet' };
  const existing = refs.filter((ref) => resolveCommit(root, ref));
  if (existing.length === 0) return { reason: `${refs.join(' and ')} ${refs.length > 1 ? 'do' : 'does'} not exist here (fetch the base branch, or pass --base <ref>)` };
  for (const ref of existing) {
    const run = git(root, ['merge-base', 'HEAD', ref]);
    if (run.ok) {
      const commit = run.stdout.trim();
      return { commit, label: `merge base of HEAD and ${ref} (${commit.slice(0, 7)})` };
    }
  }
  return { reason: `HEAD has no common history with ${existing.join(' or ')}` };
}

function fromFile(path: string): Baseline {
  const absolute = resolve(path);
  try {
    return { kind: 'found', label: path, sdl: readFileSync(absolute, 'utf8') };
  } catch (error) {
    return { kind: 'error', reason: `cannot read --base-file ${path}: ${(error as Error).message}` };
  }
}

/** Finds the baseline API schema: `--base-file`, or as committed at the merge base of HEAD and `--base` (default main). */
export function loadBaseline(root: string, options: BaselineOptions): Baseline {
  if (options.baseFile) return fromFile(options.baseFile);
  if (!git(root, ['rev-parse', '--is-inside-work-tree']).ok) return { kind: 'skip', reason: `${root} is not a git repository` };

  if (options.base && !resolveCommit(root, options.base)) return { kind: 'error', reason: `--base ${options.base} is not a commit in this repository` };
  const found = mergeBase(root, options.base ? [options.base] : DEFAULT_BRANCHES);
  if ('reason' in found) return { kind: 'skip', reason: found.reason };
  const { commit, label } = found;
  // `./` makes the path relative to the root even when the root is not the git top level.
  const show = git(root, ['show', `${commit}:./${API_FILE}`]);
  if (!show.ok) return { kind: 'skip', reason: `${API_FILE} does not exist at ${label}` };
  return { kind: 'found', label: `${API_FILE} at ${label}`, sdl: show.stdout };
}

/** A baseline ready to diff: its SDL built into a schema, or an error when it is not a valid schema. */
export type ParsedBaseline = { kind: 'found'; label: string; schema: GraphQLSchema } | { kind: 'skip'; reason: string } | { kind: 'error'; reason: string };

export function parseBaseline(baseline: Baseline): ParsedBaseline {
  if (baseline.kind !== 'found') return baseline;
  try {
    return { kind: 'found', label: baseline.label, schema: buildSchema(baseline.sdl) };
  } catch (error) {
    return { kind: 'error', reason: `the baseline (${baseline.label}) is not a valid schema: ${(error as Error).message}` };
  }
}
