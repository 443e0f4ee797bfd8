import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_FILE, COMPOSE_COMMAND, SUPERGRAPH_FILE } from '../paths';
import type { CheckResult, Finding } from '../report/report';
import { statusOf } from '../report/report';

/** The 1-based first line where two texts differ, or undefined when they are equal. */
export function firstDifferentLine(committed: string, fresh: string): number | undefined {
  if (committed === fresh) return undefined;
  const a = committed.split('\n');
  const b = fresh.split('\n');
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i + 1;
  return n;
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function compare(root: string, file: string, fresh: string): Finding | undefined {
  const committed = readOrUndefined(join(root, file));
  const fix = `Run \`${COMPOSE_COMMAND}\` and commit ${file}.`;
  if (committed === undefined) return { severity: 'error', code: 'MISSING_FILE', message: `${file} does not exist`, locations: [{ file }], fix };
  const line = firstDifferentLine(committed, fresh);
  if (line === undefined) return undefined;
  return {
    severity: 'error',
    code: 'STALE_FILE',
    message: `${file} is stale: it differs from what the subgraphs compose to now, from line ${line}`,
    locations: [{ file, line }],
    fix,
  };
}

/** The committed composed files must equal a fresh composition, byte for byte. */
export function driftCheck(root: string, fresh: { supergraphSdl: string; apiSdl: string }): CheckResult {
  const findings = [compare(root, SUPERGRAPH_FILE, fresh.supergraphSdl), compare(root, API_FILE, fresh.apiSdl)].filter(
    (f): f is Finding => f !== undefined,
  );
  const summary = findings.length === 0 ? `${SUPERGRAPH_FILE} and ${API_FILE} are up to date` : `stale: run \`${COMPOSE_COMMAND}\``;
  return { id: 'drift', title: 'Drift', status: statusOf(findings), summary, findings };
}
