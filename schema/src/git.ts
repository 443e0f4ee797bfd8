import { spawnSync } from 'node:child_process';

export interface GitResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** Runs a read-only git command in `cwd`; never throws, so callers can turn failures into notices. */
export function git(cwd: string, args: string[]): GitResult {
  const run = spawnSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (run.error) return { ok: false, stdout: '', stderr: run.error.message };
  return { ok: run.status === 0, stdout: run.stdout, stderr: run.stderr.trim() };
}
