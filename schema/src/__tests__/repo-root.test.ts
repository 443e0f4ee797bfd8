import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRepoRoot } from '../repo-root';

describe('findRepoRoot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'repo-root-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('walks up past workspace package.json files to the one declaring workspaces', () => {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ workspaces: ['schema'] }));
    mkdirSync(join(dir, 'schema', 'src'), { recursive: true });
    writeFileSync(join(dir, 'schema', 'package.json'), JSON.stringify({ name: '@storefront/schema' }));
    expect(findRepoRoot(join(dir, 'schema', 'src'))).toBe(dir);
  });

  it('returns undefined when no directory above declares workspaces', () => {
    const lonely = mkdtempSync(join(tmpdir(), 'no-root-'));
    try {
      // tmpdir() itself has no package.json with workspaces on any sane machine.
      expect(findRepoRoot(lonely)).toBeUndefined();
    } finally {
      rmSync(lonely, { recursive: true, force: true });
    }
  });
});
