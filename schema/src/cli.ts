#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { USAGE, UsageError, parseArgs, type CheckArgs, type CodegenArgs, type ComposeArgs, type Format } from './args';
import { compositionCheck } from './checks/composition.check';
import { loadCodegenConfig } from './codegen/codegen-config';
import { generateCode } from './codegen/generate';
import { writeGenerated } from './codegen/write-generated';
import { composeSubgraphs } from './compose';
import { ConfigError, loadSubgraphsConfig, readSubgraphSources } from './config';
import { loadOperations } from './operations';
import { API_FILE, CHECK_COMMAND, CODEGEN_CONFIG_FILE, SUPERGRAPH_FILE } from './paths';
import { formatJson } from './report/json.format';
import { formatMarkdown } from './report/markdown.format';
import type { Report } from './report/report';
import { formatCheck, formatTerminal } from './report/terminal.format';
import { findRepoRoot } from './repo-root';
import { runChecks } from './run-checks';
import { composeAndWrite } from './write-composed';

/** Exit codes: 0 all passed, 1 a check failed, 2 the command could not run (usage, config). */
const EXIT = { ok: 0, failed: 1, unusable: 2 } as const;

function rootOf(args: { root?: string }): string {
  const root = args.root ?? findRepoRoot(process.cwd()) ?? findRepoRoot(__dirname);
  if (!root) throw new UsageError('cannot find the repository root (a package.json with "workspaces"); pass --root <dir>');
  return root;
}

function format(report: Report, as: Format, color: boolean): string {
  if (as === 'json') return formatJson(report);
  if (as === 'markdown') return formatMarkdown(report);
  return formatTerminal(report, { color });
}

function compose(args: ComposeArgs): number {
  const root = rootOf({ root: fromInvocation(args.root) });
  const composition = composeAndWrite(root);
  const out = composition.ok ? process.stdout : process.stderr;
  out.write(formatCheck(compositionCheck(composition, loadSubgraphsConfig(root)), { color: out.isTTY }));
  if (!composition.ok) return EXIT.failed;
  process.stdout.write(`Wrote ${SUPERGRAPH_FILE} and ${API_FILE}.\n`);
  return EXIT.ok;
}

/** Generates from the subgraphs as they compose now; the composed files on disk are not read. */
async function codegen(args: CodegenArgs): Promise<number> {
  if (args.build && process.env.CI) {
    process.stdout.write(`CI is set: not writing generated code; \`check\` verifies the committed files.\n`);
    return EXIT.ok;
  }
  const root = rootOf({ root: fromInvocation(args.root) });
  const sources = readSubgraphSources(root, loadSubgraphsConfig(root));
  const config = loadCodegenConfig(root, sources.map((s) => s.name));
  if (!config) throw new ConfigError([`no such file: add it to generate code`], CODEGEN_CONFIG_FILE);
  const composition = composeSubgraphs(sources);
  if (!composition.ok) {
    process.stderr.write(formatCheck(compositionCheck(composition, sources), { color: process.stderr.isTTY }));
    if (!args.build) return EXIT.failed;
    // The build of every workspace should not stop on a schema error that `check` reports in full.
    process.stderr.write(`warning: the subgraphs do not compose, so generated code was not updated; run \`${CHECK_COMMAND}\`.\n`);
    return EXIT.ok;
  }
  const operations = loadOperations(root);
  for (const problem of operations.problems) process.stderr.write(`warning: ${problem.message}: left out of the typed documents\n`);
  const files = await generateCode({ config, sources, apiSdl: composition.apiSdl, operations: operations.files });
  const written = writeGenerated(root, files);
  for (const file of written) process.stdout.write(`Wrote ${file}.\n`);
  process.stdout.write(`${files.length} generated file(s), ${written.length} changed.\n`);
  return EXIT.ok;
}

/**
 * Where the user typed the command: npm runs workspace scripts inside schema/, but a path given on
 * `npm run schema:check -- --base-file x` means x relative to where npm was started.
 */
function fromInvocation(path: string | undefined): string | undefined {
  return path === undefined ? undefined : resolve(process.env.INIT_CWD ?? process.cwd(), path);
}

async function check(args: CheckArgs): Promise<number> {
  const root = rootOf({ root: fromInvocation(args.root) });
  const report = await runChecks({ root, base: args.base, baseFile: fromInvocation(args.baseFile), strict: args.strict });
  const output = fromInvocation(args.output);
  if (output) {
    writeFileSync(output, format(report, args.format, false));
    process.stdout.write(formatTerminal(report, { color: process.stdout.isTTY }));
  } else {
    process.stdout.write(format(report, args.format, process.stdout.isTTY === true));
  }
  return report.ok ? EXIT.ok : EXIT.failed;
}

async function main(argv: readonly string[]): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args.command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    if (args.command === 'compose') return compose(args);
    return args.command === 'codegen' ? await codegen(args) : await check(args);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n\n${USAGE}\n`);
      return EXIT.unusable;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`error: ${error.message}\n`);
      return EXIT.unusable;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`schema check crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = EXIT.unusable;
  },
);
