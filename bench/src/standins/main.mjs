// Child process: in-memory stand-ins of some subgraphs (BENCH_STANDINS, e.g. "users,products";
// default all four), each on a port chosen by the OS. A stand-in is what a real subgraph is at
// the HTTP and GraphQL layers — the kit's HTTP front and service-signature guard, Apollo Server on
// buildSubgraphSchema of the subgraph's own SDL, the caller's token verified on every call — with
// SQL replaced by lookups in the canned catalogue.
// NODE_ENV is production here, as for a deployed subgraph: graphql-js then skips its
// development-only instanceof checks, which cost the stand-ins about a tenth of their CPU.
// Talks to the benchmark over IPC: sends { type: 'ready', urls } once listening, answers
// { type: 'counts' } with the number of requests each stand-in has served.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import * as kit from '@storefront/kit';
import { SUBGRAPHS, projectRoot } from '../paths.mjs';
import { buildCatalogue } from './data.mjs';
import { RESOLVERS } from './resolvers.mjs';

if (!process.send) throw new Error('The stand-ins run as a child of the benchmark (IPC channel expected)');
const send = process.send.bind(process);
// Never outlive the benchmark, even if it is killed; exit normally (so --cpu-prof can write).
process.on('disconnect', () => process.exit(0));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));

/** The checkout whose SDLs are served (BENCH_ROOT of the benchmark). */
const root = process.env.BENCH_ROOT ?? projectRoot;
const names = (process.env.BENCH_STANDINS ?? SUBGRAPHS.join(','))
  .split(',')
  .filter((/** @type {string} */ n) => /** @type {readonly string[]} */ (SUBGRAPHS).includes(n));
const started = Date.now();
const log = kit.createLogger('bench-standins', process.env.LOG_LEVEL ?? 'warn');
const publicKey = kit.publicKeyFromPem(process.env.JWT_PUBLIC_KEY ?? '');
// The guard's own rules are those of development: unsigned calls (the stock gateway's) are served.
const guardEnv = { NODE_ENV: 'development', DATA_DIR: process.env.DATA_DIR, SERVICE_SECRET: process.env.SERVICE_SECRET };
// The signature check the real subgraphs run on every call (kit ≥ the service-auth change), for
// the service it stands in for (signatures name their target; an older kit ignores the option).
const secret = typeof kit.serviceSignatureGuard === 'function' ? kit.serviceSecret(guardEnv, kit.dataDir(guardEnv.DATA_DIR)) : undefined;
/** @param {string} service */
const guardFor = (service) =>
  secret === undefined ? undefined : kit.serviceSignatureGuard(/** @type {never} */ (guardEnv), secret, { service });
const data = buildCatalogue(kit.SEED_PLANS.large);

/** @type {Record<string, number>} */
const counts = {};
/** @type {Record<string, string>} */
const urls = {};
for (const name of /** @type {(typeof SUBGRAPHS)[number][]} */ (names)) {
  const typeDefs = parse(readFileSync(join(root, 'subgraphs', name, 'src', 'schema.graphql'), 'utf8'));
  const definition = /** @type {never} */ ({ name, typeDefs, resolvers: RESOLVERS[name](data) });
  const apollo = kit.buildSubgraphServer(definition);
  await apollo.start();
  const http = await kit.startHttpServer(
    {
      log,
      graphql: {
        server: apollo,
        context: async (req, info) =>
          /** @type {never} */ ({
            caller: await kit.callerFromHeader(publicKey, req.headers.authorization),
            requestId: info.requestId,
            log: info.log,
            db: null,
            clientAddress: info.clientAddress,
          }),
      },
      ready: () => true,
      guard: guardFor(name),
    },
    0,
  );
  counts[name] = 0;
  http.server.on('request', () => {
    counts[name] = /** @type {number} */ (counts[name]) + 1;
  });
  urls[name] = `${http.url}/graphql`;
}

process.on('message', (/** @type {{ type: string }} */ message) => {
  if (message.type === 'counts') send({ type: 'counts', counts: { ...counts } });
});
send({ type: 'ready', urls, ms: Date.now() - started });
