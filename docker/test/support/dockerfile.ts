import { readFileSync } from 'node:fs';

export interface Instruction {
  keyword: string;
  args: string;
  stage: string;
}

/** Splits a Dockerfile into instructions (continuations joined, comments dropped), by stage. */
export function parseDockerfile(path: string): Instruction[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const instructions: Instruction[] = [];
  let stage = '(global)';
  let pending = '';
  for (const raw of lines) {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) continue;
    if (pending && line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const full = `${pending}${line}`.trim();
    pending = '';
    const match = /^(\w+)\s+(.*)$/.exec(full);
    if (!match) continue;
    const keyword = match[1]!.toUpperCase();
    const args = match[2]!;
    if (keyword === 'FROM') {
      const as = /\bAS\s+(\S+)/i.exec(args);
      stage = as ? as[1]! : args;
    }
    instructions.push({ keyword, args, stage });
  }
  return instructions;
}

/**
 * Whether a .dockerignore excludes a path (relative to the context root, forward slashes).
 * Docker's rules for what this file uses: `*` within a segment, `**` across segments, and a
 * pattern that matches a folder excludes everything under it. No `!` exceptions here.
 */
export function dockerIgnored(patterns: string[], path: string): boolean {
  const regexes = patterns.map((pattern) => {
    const body = pattern
      .replace(/^\//, '')
      .split(/(\*\*\/?|\*|\?)/)
      .map((part) => {
        if (part === '**/' || part === '**') return '(?:.*/)?';
        if (part === '*') return '[^/]*';
        if (part === '?') return '[^/]';
        return part.replace(/[.+^${}()|[\]\\]/g, '\\$&');
      })
      .join('');
    return new RegExp(`^${body}(?:/.*)?$`);
  });
  return regexes.some((re) => re.test(path));
}

export function readDockerignore(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}
