import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * Parses a .env file the way docker compose does for what make-secrets.mjs and env.example write:
 * KEY=value lines, comments, and double-quoted values in which \n, \" and \\ are escapes.
 */
export function parseDotenv(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) throw new Error(`line ${index + 1} is not KEY=value: ${line}`);
    const [, key, value] = match as unknown as [string, string, string];
    if (value.startsWith('"')) {
      if (!value.endsWith('"') || value.length < 2) throw new Error(`line ${index + 1}: unterminated quote`);
      vars[key] = value.slice(1, -1).replace(/\\(n|"|\\)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    } else {
      vars[key] = value;
    }
  }
  return vars;
}

/** The variable names a compose file interpolates (`${NAME…}`), `$$` being a literal dollar. */
export function interpolatedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.replace(/\$\$/g, '').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(match[1]!);
  return names;
}

/**
 * Compose's interpolation on one string: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error},
 * ${VAR?error}, and $$ for a literal $. Missing required variables are collected, not thrown,
 * so a test sees all of them.
 */
export function interpolate(value: string, env: Record<string, string | undefined>, missing: string[]): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g, (whole, name?: string, colon?: string, op?: string, arg?: string) => {
    if (whole === '$$') return '$';
    const current = env[name!];
    const unset = current === undefined || (colon === ':' && current === '');
    if (op === '-') return unset ? arg! : current!;
    if (op === '?') {
      if (unset) missing.push(`${name}: ${arg}`);
      return current ?? '';
    }
    return current ?? '';
  });
}

function interpolateDeep(node: unknown, env: Record<string, string | undefined>, missing: string[]): unknown {
  if (typeof node === 'string') return interpolate(node, env, missing);
  if (Array.isArray(node)) return node.map((item) => interpolateDeep(item, env, missing));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateDeep(v, env, missing)]));
  }
  return node;
}

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[]; interval?: string; timeout?: string; retries?: number; start_period?: string };
  ports?: string[];
  volumes?: string[];
  networks?: string[];
  stop_grace_period?: string;
  read_only?: boolean;
  command?: string[];
  tmpfs?: string[];
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  networks?: Record<string, { internal?: boolean } | null>;
  volumes?: Record<string, unknown>;
}

/** Loads a compose file as compose sees it: YAML with merge keys, then interpolation. */
export function loadCompose(path: string, env: Record<string, string | undefined>): { file: ComposeFile; missing: string[] } {
  const parsed = parse(readFileSync(path, 'utf8'), { merge: true }) as Record<string, unknown>;
  // Extension fields (x-…) are YAML anchors' homes; compose ignores them.
  const withoutExtensions = Object.fromEntries(Object.entries(parsed).filter(([key]) => !key.startsWith('x-')));
  const missing: string[] = [];
  const file = interpolateDeep(withoutExtensions, env, missing) as ComposeFile;
  return { file, missing };
}

/** A compose environment map as the strings the container sees. */
export function environmentOf(service: ComposeService): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v)]));
}

/** Compose durations such as 20s, 1m30s, in seconds. */
export function seconds(duration: string): number {
  let total = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+(?:\.\d+)?)(h|m|s|ms)/g)) {
    total += Number(amount) * { h: 3600, m: 60, s: 1, ms: 0.001 }[unit as 'h' | 'm' | 's' | 'ms'];
  }
  return total;
}
