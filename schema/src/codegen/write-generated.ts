import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { GeneratedFile } from './generate';

function current(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Writes the files whose text changed and returns their paths. Unchanged files are not touched, so
 * a build that regenerates does not make other workspaces' compilers see a modified file.
 */
export function writeGenerated(root: string, files: readonly GeneratedFile[]): string[] {
  const written: string[] = [];
  for (const { file, text } of files) {
    const path = join(root, file);
    if (current(path) === text) continue;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    written.push(file);
  }
  return written;
}
