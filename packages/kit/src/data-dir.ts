import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

function findProjectRoot(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ('workspaces' in JSON.parse(readFileSync(manifest, 'utf8'))) return dir;
      } catch {
        // not JSON we understand: keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Where embedded databases and development keys live: `DATA_DIR`, or `.data/` in the project
 * root (the folder whose package.json declares the workspaces), so every service of one checkout
 * shares it whatever its working directory.
 */
export function dataDir(configured?: string): string {
  const dir = configured ?? join(findProjectRoot(__dirname) ?? process.cwd(), '.data');
  mkdirSync(dir, { recursive: true });
  return dir;
}
