#!/usr/bin/env node
import { MANIFEST_FILE, writeManifest } from './persisted-manifest';
import { findRepoRoot } from './repo-root';

/**
 * `npm run manifest --workspace @storefront/schema`: writes the persisted operations manifest the
 * router's safelist mode (PERSISTED_OPERATIONS=enforce) runs from. Exit 1 when an operation file
 * does not parse (nothing is written then), 2 when the repository root cannot be found.
 */
const root = findRepoRoot(process.cwd()) ?? findRepoRoot(__dirname);
if (!root) {
  process.stderr.write('error: cannot find the repository root (a package.json with "workspaces")\n');
  process.exitCode = 2;
} else {
  const { manifest, problems } = writeManifest(root);
  if (problems.length > 0) {
    for (const problem of problems) process.stderr.write(`✖ ${problem}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`Wrote ${MANIFEST_FILE}: ${manifest.operations.length} operations.\n`);
  }
}
