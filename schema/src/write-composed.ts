import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeSubgraphs, type Composition } from './compose';
import { loadSubgraphsConfig, readSubgraphSources } from './config';
import { API_FILE, SUPERGRAPH_FILE } from './paths';

/** Composes the configured subgraphs and, on success, writes the supergraph and the API schema. */
export function composeAndWrite(root: string): Composition {
  const sources = readSubgraphSources(root, loadSubgraphsConfig(root));
  const composition = composeSubgraphs(sources);
  if (composition.ok) {
    writeFileSync(join(root, SUPERGRAPH_FILE), composition.supergraphSdl);
    writeFileSync(join(root, API_FILE), composition.apiSdl);
  }
  return composition;
}
