// Preloaded (`node --import`) into every process the benchmark starts, so the repository's own
// entry points (router/dist/index.js, subgraphs/*/dist/index.js) run unmodified:
// - the process stops (SIGTERM, so it drains as in production) when the benchmark goes away,
//   so nothing outlives a crashed or interrupted run;
// - with BENCH_COUNT=requests it counts the GraphQL requests the process receives (a 'request'
//   listener on its HTTP server); with BENCH_COUNT=all also the SQL statements it runs (the kit's
//   StatementCounter, the same hook the integration tests read). It answers { type: 'stats' }
//   over IPC. Nothing is added to the request path but an increment or two.
import http from 'node:http';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { resolve } from 'node:path';

if (process.send) {
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}

const counting = process.env.BENCH_COUNT;
if ((counting === 'requests' || counting === 'all') && process.send) {
  const send = process.send.bind(process);
  let statements = 0;
  let requests = 0;
  // Only where asked: loading the kit into a router that does not use it would skew its memory.
  if (counting === 'all') {
    // The kit the service itself loads (resolved from its entry point), not the benchmark's copy.
    const require = createRequire(resolve(process.argv[1] ?? '.'));
    /** @type {Record<string, (...args: unknown[]) => void>} */
    const counter = require('@storefront/kit').StatementCounter.prototype;
    for (const method of ['logQuery', 'logQueryError']) {
      const original = /** @type {(...args: unknown[]) => void} */ (counter[method]);
      counter[method] = function counted(/** @type {unknown[]} */ ...args) {
        statements += 1;
        original.apply(this, args);
      };
    }
  }
  const createServer = http.createServer;
  http.createServer = /** @type {typeof http.createServer} */ (
    function countingServer(/** @type {Parameters<typeof http.createServer>} */ ...args) {
      const server = createServer.apply(this, args);
      server.on('request', (req) => {
        if (req.method === 'POST' && (req.url ?? '').startsWith('/graphql')) requests += 1;
      });
      return server;
    }
  );
  // ES modules that import { createServer } from 'node:http' see the patch too.
  syncBuiltinESMExports();
  process.on('message', (/** @type {{ type?: string } | null} */ message) => {
    if (message?.type === 'stats') send({ type: 'stats', statements, requests });
  });
}
