import { spawnSync } from 'node:child_process';
import { CLI, REPO_ROOT } from './temp-repo';

describe('the schema check on this repository', () => {
  it('passes, so `npm test` gates on what `npm run schema:check` gates on in CI', () => {
    const run = spawnSync(process.execPath, [CLI, 'check', '--root', REPO_ROOT], { encoding: 'utf8' });
    // The output is the failure message: it says what broke and how to fix it.
    expect({ status: run.status, output: run.stdout + run.stderr }).toEqual({ status: 0, output: expect.stringContaining('Schema check passed') });
  });
});
