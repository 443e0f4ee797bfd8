// The stages the security part measures (security-child.mjs runs them): each calls the router's
// or the kit's own code from the measured checkout's dist, the way a request does, on the
// benchmark's requests. `perRequest` is how often the stage runs for one request of each query
// as the benchmark sends it ((a)–(c) anonymous, (d) signed in; rate limits on as in production;
// response cache and plan warm-up at their defaults, on); none for figures given for reference.
import { createHash, randomBytes } from 'node:crypto';

/**
 * @typedef {{ id: string, query: string, operationName: string, variables?: Record<string, unknown>, document: import('graphql').DocumentNode, operation: import('graphql').OperationDefinitionNode, authorizations: string[] }} BenchRequest
 * @typedef {{ side: 'router' | 'subgraph' | 'reference', stage: string, input: string, code: string, perRequest: Record<string, number>, run: (i: number) => unknown }} Stage
 */

const noop = () => undefined;
const sha256 = (/** @type {string} */ text) => createHash('sha256').update(text).digest('hex');
/** The Node request the router's edge functions read: headers and the peer's address. */
const incoming = (/** @type {Record<string, string>} */ headers, address = '203.0.113.7') => /** @type {never} */ ({ headers, socket: { remoteAddress: address } });

/**
 * @param {{ kit: any, router: Record<string, any>, requests: BenchRequest[], captured: Map<string, { fetches: { subgraph: string, body: string }[], data: unknown }>,
 *   apiSchema: import('graphql').GraphQLSchema, supergraphSdl: string, publicKey: import('node:crypto').KeyObject, privateKey: import('node:crypto').KeyObject,
 *   shopper: { userId: string, roles: string[], scopes: string[] } }} inputs
 * @returns {Stage[]}
 */
export function stagesOf({ kit, router, requests, captured, apiSchema, supergraphSdl, publicKey, shopper }) {
  const { callerOf } = router.context;
  const d = /** @type {BenchRequest} */ (requests.find((r) => r.id === 'd'));
  const token = /** @type {string} */ (d.authorizations[0]).slice('Bearer '.length);
  const [header, payload, signature] = token.split('.');
  const forged = `${header}.${payload}.${signature?.startsWith('A') ? 'B' : 'A'}${signature?.slice(1)}`;
  const garbage = randomBytes(225).toString('base64url');
  const oversized = `${header}.${'A'.repeat(12 * 1024)}.${signature}`;
  const secret = randomBytes(32).toString('hex');
  const callerFor = (/** @type {BenchRequest} */ r) => (r.authorizations.length ? shopper : null);
  const fetchesOf = (/** @type {string} */ id) => captured.get(id)?.fetches ?? [];
  const only = (/** @type {string} */ id, calls = 1) => ({ [id]: calls });
  const anonymous = Object.fromEntries(requests.filter((r) => !r.authorizations.length).map((r) => [r.id, 1]));

  /** @type {Stage[]} */
  const stages = [
    {
      side: 'router', stage: 'token → caller', input: "(d): the 200 shoppers' tokens in turn", code: 'router context.ts `callerOf`', perRequest: only('d'),
      run: (i) => callerOf(incoming({ authorization: /** @type {string} */ (d.authorizations[i % d.authorizations.length]) }), publicKey),
    },
    { side: 'router', stage: 'token → caller', input: 'no token', code: 'router context.ts `callerOf`', perRequest: anonymous, run: () => callerOf(incoming({}), publicKey) },
    { side: 'reference', stage: 'token verification itself', input: 'a shopper\'s token (Ed25519, jose)', code: 'kit `verifyToken`', perRequest: {}, run: () => kit.verifyToken(publicKey, token) },
    ...[
      ['forged: well formed, one character of the signature changed', forged],
      ['garbage: 300 random characters', garbage],
      ['oversized: 12 KB payload, well-formed header', oversized],
    ].map(([input, bad]) => /** @type {Stage} */ ({
      side: 'reference', stage: 'a refused token', input: /** @type {string} */ (input), code: 'router context.ts `callerOf`', perRequest: {},
      run: () => callerOf(incoming({ authorization: `Bearer ${bad}` }), publicKey).catch(noop),
    })),
  ];

  // Rate limits as in production (per client and per address), never refusing here.
  const store = new kit.MemoryRateLimitStore();
  const byAddress = router.rateLimit.addressRateLimit(new kit.RateLimiter(store, { limit: 1e12, windowMs: 60_000, prefix: 'rla' }), 0);
  const byClient = router.rateLimit.clientRateLimit(new kit.RateLimiter(store, { limit: 1e12, windowMs: 60_000, prefix: 'rl' }), 0);
  /** The edge stage's limit per address, then the limits stage's per client (identity ran before). @param {import('node:http').IncomingMessage} req */
  const rateLimit = async (req) => {
    await byAddress(req);
    await byClient(req);
  };
  // The identity stage resolves the caller once per request (the limits stage and the context read it): these already are.
  const signedIn = d.authorizations.map((authorization, i) => incoming({ authorization }, `198.51.100.${i % 250}`));
  const addresses = Array.from({ length: 200 }, (_, i) => incoming({}, `192.0.2.${i % 250}`));
  for (const req of [...signedIn, ...addresses]) void callerOf(req, publicKey);
  stages.push(
    { side: 'router', stage: 'rate limit (per client and per address)', input: 'anonymous: by address', code: 'router rate-limit.ts, kit `RateLimiter` (memory)', perRequest: anonymous, run: (i) => rateLimit(addresses[i % addresses.length]) },
    { side: 'router', stage: 'rate limit (per client and per address)', input: 'signed in: by user id and by address', code: 'router rate-limit.ts, kit `RateLimiter` (memory)', perRequest: only('d'), run: (i) => rateLimit(signedIn[i % signedIn.length]) },
  );

  const tokenLimit = router.limits.tokenLimit(5000);
  const limits = { depth: 15, aliases: 30, rootFields: 20, directives: 50, tokens: 5000, cost: 10_000, listSize: 10 };
  const rules = new router.guard.RulesBySchema();
  rules.update(apiSchema, supergraphSdl);
  const guard = [router.guard.operationLimitsPlugin(limits), router.guard.authorizationPlugin(rules)];
  const authorizationRules = router.authorization.AuthorizationRules.fromSupergraph(supergraphSdl);
  const responseKeys = (/** @type {BenchRequest} */ r, /** @type {string} */ queryHash) => ({
    schemaId: 'bench', queryHash, operationName: r.operationName, variables: router.cache.declaredVariables(r.operation, r.variables),
  });
  const recent = new router.warmup.RecentOperations();
  const queryHashes = new Map(requests.map((r) => [r.id, sha256(r.query)]));
  /** One request through the guard's two hooks, as Apollo Server calls them. @param {BenchRequest} r @param {unknown} caller @param {unknown} data */
  const guarded = async (r, caller, data) => {
    const hooks = await Promise.all(guard.map((plugin) => plugin.requestDidStart()));
    const context = { schema: apiSchema, document: r.document, operation: r.operation, request: { operationName: r.operationName, variables: r.variables }, contextValue: { caller }, queryHash: queryHashes.get(r.id) };
    for (const h of hooks) await h.didResolveOperation?.(context);
    if (data !== undefined) for (const h of hooks) await h.willSendResponse?.({ ...context, response: { body: { kind: 'single', singleResult: { data } } } });
  };
  for (const r of requests) {
    const queryHash = sha256(r.query);
    const caller = callerFor(r);
    const fetches = fetchesOf(r.id);
    const q = `(${r.id})`;
    stages.push(
      { side: 'router', stage: 'token limit (lexes the text)', input: q, code: 'router operation-limits.ts `tokenLimit`', perRequest: only(r.id), run: () => tokenLimit(r.query) },
      { side: 'router', stage: 'limits and authorization stages (the operation)', input: q, code: 'router operation-guard.ts', perRequest: only(r.id), run: () => guarded(r, caller, undefined) },
      { side: 'reference', stage: '… its operation limits alone', input: q, code: 'router operation-limits.ts `measureOperation`', perRequest: {}, run: () => router.limits.measureOperation(apiSchema, r.document, r.operation, r.variables, 10) },
      { side: 'reference', stage: '… its authorization walk alone', input: q, code: 'router authorization.ts `filterOperation`', perRequest: {}, run: () => router.authorization.filterOperation(apiSchema, authorizationRules, r.document, caller) },
      {
        side: 'router', stage: 'signature of each subgraph fetch', input: `${q} ${fetches.length} fetches, ${Math.round(fetches.reduce((n, f) => n + f.body.length, 0) / Math.max(1, fetches.length))} B each on average`,
        code: 'kit `signRequest`', perRequest: only(r.id, fetches.length),
        run: (i) => {
          const fetch = /** @type {{ subgraph: string, body: string }} */ (fetches[i % fetches.length]);
          return kit.signRequest(secret, 'router', { target: fetch.subgraph, method: 'POST', path: '/graphql', body: fetch.body, authorization: r.authorizations[0], client: '203.0.113.7' });
        },
      },
      { side: 'router', stage: 'response cache keys', input: q, code: 'router response-cache.ts `cacheKeys`', perRequest: only(r.id), run: () => router.cache.cacheKeys(responseKeys(r, queryHash), caller) },
      { side: 'router', stage: 'recent operations (plans warmed after a reload)', input: q, code: 'router plan-warmup.ts `RecentOperations`', perRequest: only(r.id), run: () => recent.record({ query: r.query, operationName: r.operationName }) },
    );
  }
  const dAnonymous = captured.get('d-anonymous');
  stages.push(
    {
      side: 'reference', stage: 'operation guard, a field taken out', input: '(d) without a token: User.orders removed, then restored as null with its error', code: 'router operation-guard.ts (filter, plan key, restore)', perRequest: {},
      run: () => guarded(d, null, dAnonymous?.data ?? null),
    },
    { side: 'reference', stage: 'plan key of a filtered operation', input: 'one coordinate taken out', code: 'router authorization.ts `filteredQueryHash`', perRequest: {}, run: () => router.authorization.filteredQueryHash(sha256(d.query), ['User.orders']) },
  );

  // What each subgraph does with every fetch: the token again, and the router's signature.
  const verifier = new kit.SignatureVerifier({ secret, service: 'products', allowed: ['router'], nonces: { claim: async () => true } });
  for (const r of requests) {
    const signed = fetchesOf(r.id).map((f) => {
      const request = { method: 'POST', path: '/graphql', body: f.body, authorization: r.authorizations[0] };
      return { request, headers: kit.signRequest(secret, 'router', { ...request, target: 'products', client: '203.0.113.7' }) };
    });
    stages.push({
      side: 'subgraph', stage: "the router's signature checked (nonce store left out)", input: `(${r.id})`, code: 'kit `SignatureVerifier`', perRequest: only(r.id, signed.length),
      run: (i) => {
        const call = /** @type {(typeof signed)[number]} */ (signed[i % signed.length]);
        return verifier.verify(call.request, call.headers);
      },
    });
  }
  stages.push({
    side: 'subgraph', stage: 'token → caller', input: "(d): every fetch carries the shopper's token", code: 'kit `callerFromHeader`', perRequest: only('d', fetchesOf('d').length),
    run: (i) => kit.callerFromHeader(publicKey, d.authorizations[i % d.authorizations.length]),
  });
  return stages;
}
