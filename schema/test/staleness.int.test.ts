import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeSubgraphs } from '../src/compose';
import { loadSubgraphsConfig, readSubgraphSources } from '../src/config';
import { API_FILE, COMPOSE_COMMAND, SUPERGRAPH_FILE } from '../src/paths';
import { REPO_ROOT } from './temp-repo';

describe('the committed composition of this repository', () => {
  const composition = composeSubgraphs(readSubgraphSources(REPO_ROOT, loadSubgraphsConfig(REPO_ROOT)));

  it('composes without errors', () => {
    expect(composition.ok ? [] : composition.errors.map((e) => `${e.code}: ${e.message}`)).toEqual([]);
  });

  it.each([
    ['supergraphSdl', SUPERGRAPH_FILE],
    ['apiSdl', API_FILE],
  ] as const)(`%s equals the committed %s (run \`${COMPOSE_COMMAND}\` if not)`, (key, file) => {
    if (!composition.ok) throw new Error('composition failed');
    expect(readFileSync(join(REPO_ROOT, file), 'utf8')).toBe(composition[key]);
  });
});
