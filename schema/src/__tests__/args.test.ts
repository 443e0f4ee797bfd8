import { parseArgs, UsageError } from '../args';

describe('parseArgs', () => {
  it('defaults check to the terminal format, not strict, with no baseline override', () => {
    expect(parseArgs(['check'])).toEqual({ command: 'check', root: undefined, base: undefined, baseFile: undefined, strict: false, format: 'terminal', output: undefined });
  });

  it('reads every check option, in both --flag value and --flag=value forms', () => {
    expect(parseArgs(['check', '--root', '/repo', '--base=origin/main', '--strict', '--format', 'markdown', '--output=/tmp/summary.md'])).toEqual({
      command: 'check',
      root: '/repo',
      base: 'origin/main',
      baseFile: undefined,
      strict: true,
      format: 'markdown',
      output: '/tmp/summary.md',
    });
  });

  it('takes --root for compose', () => {
    expect(parseArgs(['compose', '--root', '/repo'])).toEqual({ command: 'compose', root: '/repo' });
  });

  it('takes --root and --build for codegen', () => {
    expect(parseArgs(['codegen'])).toEqual({ command: 'codegen', root: undefined, build: false });
    expect(parseArgs(['codegen', '--root=/repo', '--build'])).toEqual({ command: 'codegen', root: '/repo', build: true });
  });

  it.each([
    [['codegen', '--strict'], '--strict only applies to check'],
    [['check', '--build'], '--build only applies to codegen'],
    [['deploy'], 'unknown command "deploy"'],
    [['check', '--colour'], 'unknown option "--colour"'],
    [['check', '--format', 'html'], '--format must be one of terminal, markdown, json'],
    [['check', '--base'], '--base needs a value'],
    [['check', '--base', 'main', '--base-file', 'api.graphql'], 'pass either --base or --base-file, not both'],
    [['compose', '--strict'], '--strict only applies to check'],
  ])('rejects %j with a usage error', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(new UsageError(message));
  });

  it('shows help without a command or with --help', () => {
    expect(parseArgs([])).toEqual({ command: 'help' });
    expect(parseArgs(['check', '--help'])).toEqual({ command: 'help' });
  });
});
