import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOperations } from '../src/operations';
import { buildManifest, MANIFEST_FILE, manifestText } from '../src/persisted-manifest';
import { REPO_ROOT } from './temp-repo';

describe('the committed persisted operations manifest', () => {
  const { files, problems } = loadOperations(REPO_ROOT);
  const fresh = buildManifest(files);

  it('equals a fresh build from schema/operations (run `npm run manifest --workspace @storefront/schema` if not)', () => {
    expect(problems).toEqual([]);
    expect(readFileSync(join(REPO_ROOT, MANIFEST_FILE), 'utf8')).toBe(manifestText(fresh));
  });

  it('lists every named operation of schema/operations once, each id the sha256 of its body', () => {
    const names = files.flatMap((f) => f.operations.map((o) => o.name)).sort();
    expect(fresh.operations.map((o) => o.name).sort()).toEqual(names);
    for (const operation of fresh.operations) {
      expect(operation.id).toBe(createHash('sha256').update(operation.body).digest('hex'));
    }
  });
});
