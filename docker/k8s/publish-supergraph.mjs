#!/usr/bin/env node
// Publishes a supergraph to the Kubernetes base: validates it as the router will, then copies it
// to docker/k8s/base/supergraph/supergraph.graphql, which the `supergraph` ConfigMap is generated
// from. `kubectl apply -k docker/k8s/overlays/<env>` then updates the ConfigMap in place and the
// routers reload it without a restart. See docs/deploy.md, "Rolling out a schema change".
//
//   node docker/k8s/publish-supergraph.mjs [supergraph file]   # default: schema/supergraph.graphql
//
// Kustomize reads files only inside the kustomization's folder tree, so the published supergraph is
// a copy, and a deliberate one: schema/supergraph.graphql is what the subgraphs' source composes to,
// the copy is what production routes by, published only after the subgraphs serve it.
import { copyFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
export const PUBLISHED = join(here, 'base', 'supergraph', 'supergraph.graphql');

/**
 * Throws with the reason when the text is not a Federation 2 supergraph this project's router can
 * serve (its features include the security directives it enforces); returns the subgraphs' names.
 */
export function validateSupergraph(sdl) {
  // Resolved from the repository: the router's own dependency, so both judge the file alike.
  const require = createRequire(join(root, 'router', 'package.json'));
  const { Supergraph, ROUTER_SUPPORTED_SUPERGRAPH_FEATURES } = require('@apollo/federation-internals');
  const supergraph = Supergraph.build(sdl, {
    supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES,
    validateSupergraph: true,
  });
  supergraph.apiSchema();
  return supergraph.subgraphsMetadata().map((subgraph) => subgraph.name);
}

function main() {
  const source = resolve(process.argv[2] ?? join(root, 'schema', 'supergraph.graphql'));
  let sdl;
  try {
    sdl = readFileSync(source, 'utf8');
  } catch {
    console.error(`No supergraph at ${relative(process.cwd(), source)}: run \`npm run schema:compose\` first.`);
    process.exit(1);
  }
  let subgraphs;
  try {
    subgraphs = validateSupergraph(sdl);
  } catch (error) {
    console.error(`Not published: ${relative(process.cwd(), source)} is not a valid supergraph: ${error.message}`);
    process.exit(1);
  }
  copyFileSync(source, PUBLISHED);
  console.log(`Published ${relative(process.cwd(), source)} (subgraphs: ${subgraphs.join(', ')}) to ${relative(process.cwd(), PUBLISHED)}.`);
  console.log('Next: kubectl apply -k docker/k8s/overlays/<env>   (the routers reload it within about a minute)');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
