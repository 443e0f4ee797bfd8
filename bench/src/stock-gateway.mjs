// Child process: the reference point, a plain `@apollo/gateway` behind `@apollo/server`'s
// startStandaloneServer, all defaults, on the same supergraph file as our router.
// Two changes only, both needed to serve the same queries (and a normal exit on SIGTERM):
// - subgraph URLs come from <NAME>_URL (as our router's do), through buildService;
// - the client's Authorization header is forwarded to subgraphs (the documented
//   RemoteGraphQLDataSource.willSendRequest pattern), or `me` would be null.
// And `, for: SECURITY` is removed from @link, which the stock gateway refuses (see
// /work/shared/design/pitfalls.md); it then ignores @authenticated/@requiresScopes, if any.
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

// The gateway's constructor starts a metrics exporter to the vendor unless this is set.
process.env.APOLLO_TELEMETRY_DISABLED = 'true';
process.on('disconnect', () => process.exit(0));

const path = process.env.SUPERGRAPH_PATH;
if (!path) throw new Error('SUPERGRAPH_PATH is required');
const supergraphSdl = readFileSync(path, 'utf8').replace(/,\s*for:\s*SECURITY/g, '');

/** @typedef {{ authorization?: string }} Context */

/** @extends {RemoteGraphQLDataSource<Context>} */
class ForwardAuthorization extends RemoteGraphQLDataSource {
  /**
   * @override
   * @param {import('@apollo/gateway').GraphQLDataSourceProcessOptions<Context>} options
   */
  willSendRequest({ request, context }) {
    if (context?.authorization) request.http?.headers.set('authorization', context.authorization);
  }
}

const gateway = new ApolloGateway({
  supergraphSdl,
  buildService: ({ name, url }) => new ForwardAuthorization({ url: process.env[`${name.toUpperCase()}_URL`] ?? url }),
});
/** @type {ApolloServer<Context>} */
const server = new ApolloServer({
  gateway,
  // Shutdown only, not serving: we exit normally on SIGTERM so that --cpu-prof can write its file
  // (Apollo's own handler re-raises the signal, which kills the process before that).
  stopOnTerminationSignals: false,
});
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(process.env.PORT ?? 0) },
  context: async ({ req }) => ({ authorization: req.headers.authorization }),
});
process.send?.({ type: 'ready', url });
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    void server.stop().finally(() => process.exit(0));
  });
}
