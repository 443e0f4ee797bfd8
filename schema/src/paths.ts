/** Where the schema workspace keeps its files, relative to the repository root. */
export const CONFIG_FILE = 'schema/subgraphs.json';
export const SUPERGRAPH_FILE = 'schema/supergraph.graphql';
export const API_FILE = 'schema/api.graphql';
export const OPERATIONS_DIR = 'schema/operations';

/** The one command that rewrites the composed files; every drift message points to it. */
export const COMPOSE_COMMAND = 'npm run schema:compose';

/** What `codegen` generates and where (see README, "Generated code"). */
export const CODEGEN_CONFIG_FILE = 'schema/codegen.json';

/** The one command that rewrites the generated TypeScript; every staleness message points to it. */
export const CODEGEN_COMMAND = 'npm run schema:codegen';

/** The CI gate, named where a build only warns about what it would fail on. */
export const CHECK_COMMAND = 'npm run schema:check';
