/** Where the schema workspace keeps its files, relative to the repository root. */
export const CONFIG_FILE = 'schema/subgraphs.json';
export const SUPERGRAPH_FILE = 'schema/supergraph.graphql';
export const API_FILE = 'schema/api.graphql';
export const OPERATIONS_DIR = 'schema/operations';

/** The one command that rewrites the composed files; every drift message points to it. */
export const COMPOSE_COMMAND = 'npm run schema:compose';
