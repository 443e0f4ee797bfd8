import { buildSchema } from 'graphql';
import { loadBaseline, parseBaseline, type BaselineOptions } from './checks/baseline';
import { breakingCheck } from './checks/breaking.check';
import { codegenCheck, type Generation } from './checks/codegen.check';
import { compositionCheck } from './checks/composition.check';
import { driftCheck } from './checks/drift.check';
import { lintCheck } from './checks/lint.check';
import { operationUsage } from './checks/operation-usage';
import { operationsCheck } from './checks/operations.check';
import { loadCodegenConfig, type CodegenConfig } from './codegen/codegen-config';
import { generateCode, type GenerateInput } from './codegen/generate';
import { composeSubgraphs } from './compose';
import { loadSubgraphsConfig, readSubgraphSources } from './config';
import { loadOperations } from './operations';
import { CODEGEN_CONFIG_FILE } from './paths';
import { skipped, type CheckResult, type Report } from './report/report';
import { buildSourceIndex } from './source-index';

export interface CheckOptions extends BaselineOptions {
  root: string;
  /** Fail on every breaking change, used by an operation or not. @default false */
  strict?: boolean;
}

const NEEDS_COMPOSITION = 'composition failed';
const CODEGEN_TITLE = 'Generated code';

async function generation(input: GenerateInput): Promise<Generation> {
  try {
    return { ok: true, files: await generateCode(input) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Runs every check in order and returns the report; prints nothing, exits nothing. */
export async function runChecks(options: CheckOptions): Promise<Report> {
  const started = performance.now();
  const { root, strict = false } = options;
  const sources = readSubgraphSources(root, loadSubgraphsConfig(root));
  const codegen: CodegenConfig | undefined = loadCodegenConfig(root, sources.map((s) => s.name));
  const composition = composeSubgraphs(sources);
  const checks: CheckResult[] = [compositionCheck(composition, sources)];

  if (!composition.ok) {
    checks.push(
      skipped('drift', 'Drift', NEEDS_COMPOSITION),
      skipped('breaking', 'Breaking changes', NEEDS_COMPOSITION),
      skipped('operations', 'Client operations', NEEDS_COMPOSITION),
      skipped('lint', 'Schema lint', NEEDS_COMPOSITION),
      skipped('codegen', CODEGEN_TITLE, NEEDS_COMPOSITION),
    );
  } else {
    const next = buildSchema(composition.apiSdl);
    const index = buildSourceIndex(sources);
    const operations = loadOperations(root);
    const baseline = parseBaseline(loadBaseline(root, options));
    const schemas = baseline.kind === 'found' ? [baseline.schema, next] : [next];
    checks.push(
      driftCheck(root, composition),
      await breakingCheck({ baseline, next, usage: operationUsage(operations.files, schemas), strict, index }),
      operationsCheck(operations, next),
      lintCheck(next, sources, index),
      codegen
        ? codegenCheck(root, codegen, sources, await generation({ config: codegen, sources, apiSdl: composition.apiSdl, operations: operations.files }))
        : skipped('codegen', CODEGEN_TITLE, `no ${CODEGEN_CONFIG_FILE}: nothing is generated`),
    );
  }
  return { ok: checks.every((c) => c.status !== 'fail'), strict, root, durationMs: Math.round(performance.now() - started), checks };
}
