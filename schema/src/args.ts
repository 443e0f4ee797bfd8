export type Format = 'terminal' | 'markdown' | 'json';
export const FORMATS: readonly Format[] = ['terminal', 'markdown', 'json'];

export interface ComposeArgs {
  command: 'compose';
  root?: string;
}

export interface CheckArgs {
  command: 'check';
  root?: string;
  base?: string;
  baseFile?: string;
  strict: boolean;
  format: Format;
  /** Also write the report in `format` to this file (e.g. $GITHUB_STEP_SUMMARY). */
  output?: string;
}

export interface CodegenArgs {
  command: 'codegen';
  root?: string;
  /**
   * As the workspace build runs it: write nothing when the CI environment variable is set (CI verifies
   * the committed files with `check`), and only warn when the subgraphs do not compose (`check` fails on that).
   */
  build: boolean;
}

export type Args = ComposeArgs | CheckArgs | CodegenArgs | { command: 'help' };

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage:
  storefront-schema compose [--root <dir>]
      Compose the subgraphs into schema/supergraph.graphql and schema/api.graphql.
  storefront-schema check [--root <dir>] [--base <ref> | --base-file <path>] [--strict]
                          [--format terminal|markdown|json] [--output <file>]
      Composition, drift, breaking changes, client operations, schema lint and generated code.
  storefront-schema codegen [--root <dir>] [--build]
      Write the TypeScript that schema/codegen.json lists: resolver types per subgraph and typed
      documents for the client operations.

Options:
  --root <dir>         repository root (default: the nearest directory with a package.json declaring workspaces)
  --base <ref>         baseline: schema/api.graphql as committed at the merge base of HEAD and <ref> (default: main, else origin/main)
  --base-file <path>   baseline: an API schema file
  --strict             fail on every breaking change, even one no client operation uses
  --format <format>    terminal (default), markdown or json
  --output <file>      write the report to <file> as well; the terminal summary still goes to stdout
  --build              codegen as the build runs it: writes nothing when CI is set (CI checks the committed
                       files instead), and a composition failure only warns (check reports it)`;

const VALUE_FLAGS = new Set(['--root', '--base', '--base-file', '--format', '--output']);
const CHECK_ONLY = new Set(['--base', '--base-file', '--format', '--output', '--strict']);

/** Parses `argv` (without node and the script); throws UsageError with the problem. */
export function parseArgs(argv: readonly string[]): Args {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return { command: 'help' };
  if (command !== 'compose' && command !== 'check' && command !== 'codegen') throw new UsageError(`unknown command "${command}"`);

  const values = new Map<string, string>();
  let strict = false;
  let build = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--help' || flag === '-h') return { command: 'help' };
    if (command !== 'check' && CHECK_ONLY.has(flag)) throw new UsageError(`${flag} only applies to check`);
    if (command !== 'codegen' && flag === '--build') throw new UsageError(`${flag} only applies to codegen`);
    if (flag === '--strict') {
      strict = true;
    } else if (flag === '--build') {
      build = true;
    } else if (VALUE_FLAGS.has(flag)) {
      const value = inline ?? rest[++i];
      if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
      values.set(flag, value);
    } else {
      throw new UsageError(`unknown option "${arg}"`);
    }
  }
  if (command === 'compose') return { command, root: values.get('--root') };
  if (command === 'codegen') return { command, root: values.get('--root'), build };

  if (values.has('--base') && values.has('--base-file')) throw new UsageError('pass either --base or --base-file, not both');
  const format = values.get('--format') ?? 'terminal';
  if (!FORMATS.includes(format as Format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
  return {
    command,
    root: values.get('--root'),
    base: values.get('--base'),
    baseFile: values.get('--base-file'),
    strict,
    format: format as Format,
    output: values.get('--output'),
  };
}
