import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

function declaresWorkspaces(packageJsonPath: string): boolean {
  try {
    const json: unknown = JSON.parse(readFileSync(packageJsonPath, 'utf8'));
    return typeof json === 'object' && json !== null && 'workspaces' in json;
  } catch {
    return false;
  }
}

/**
 * The repository root: the nearest directory at or above `from` whose package.json declares
 * `workspaces`. npm runs workspace scripts inside `schema/`, so the root is found, not assumed.
 */
export function findRepoRoot(from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && declaresWorkspaces(candidate)) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
