import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodegenConfig } from '../codegen/codegen-config';
import type { GeneratedFile } from '../codegen/generate';
import type { SubgraphSource } from '../config';
import { CODEGEN_COMMAND, CODEGEN_CONFIG_FILE } from '../paths';
import type { CheckResult, Finding } from '../report/report';
import { statusOf } from '../report/report';
import { firstDifferentLine } from './drift.check';

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function compare(root: string, { file, from, text: fresh }: GeneratedFile): Finding | undefined {
  const committed = readOrUndefined(join(root, file));
  const fix = `Run \`${CODEGEN_COMMAND}\` and commit ${file}.`;
  if (committed === undefined) return { severity: 'error', code: 'MISSING_FILE', message: `${file} (generated from ${from}) does not exist`, locations: [{ file }], fix };
  const line = firstDifferentLine(committed, fresh);
  if (line === undefined) return undefined;
  return {
    severity: 'error',
    code: 'STALE_FILE',
    message: `${file} is stale: it differs from what ${from} generates now, from line ${line}`,
    locations: [{ file, line }],
    fix,
  };
}

/** A subgraph without resolver types is allowed, but said: a new subgraph is easy to forget here. */
function untyped(config: CodegenConfig, sources: readonly SubgraphSource[]): Finding[] {
  return sources
    .filter((s) => !config.resolvers.some((t) => t.subgraph === s.name))
    .map((s) => ({
      severity: 'warning' as const,
      code: 'NO_RESOLVER_TYPES',
      message: `subgraph "${s.name}" has no resolver types: ${CODEGEN_CONFIG_FILE} lists no target for it`,
      subgraphs: [s.name],
      locations: [{ file: CODEGEN_CONFIG_FILE }],
      fix: `Add "resolvers": { "${s.name}": { "output": ... } } to ${CODEGEN_CONFIG_FILE}.`,
    }));
}

export type Generation = { ok: true; files: GeneratedFile[] } | { ok: false; error: string };

/** The committed generated TypeScript must equal a fresh generation, byte for byte. */
export function codegenCheck(root: string, config: CodegenConfig, sources: readonly SubgraphSource[], generation: Generation): CheckResult {
  const title = 'Generated code';
  if (!generation.ok) {
    const finding: Finding = { severity: 'error', code: 'CODEGEN_FAILED', message: `code generation failed: ${generation.error}`, locations: [{ file: CODEGEN_CONFIG_FILE }] };
    return { id: 'codegen', title, status: 'fail', summary: 'code generation failed', findings: [finding] };
  }
  const stale = generation.files.flatMap((g) => compare(root, g) ?? []);
  const findings = [...stale, ...untyped(config, sources)];
  const n = generation.files.length;
  const summary = stale.length === 0 ? `${n} generated file(s) up to date` : `${stale.length} of ${n} generated file(s) stale: run \`${CODEGEN_COMMAND}\``;
  return { id: 'codegen', title, status: statusOf(findings), summary, findings };
}
