import type { KeyObject } from 'node:crypto';
import { createHash, createPublicKey } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, getOperationAST, Lexer, parse, print, type DocumentNode, type GraphQLSchema } from 'graphql';
import { MemoryRateLimitStore, RateLimiter, TokenCache, verifyTokenClaims, type Caller, type VerifiedToken } from '@storefront/kit';
import { testKeys } from '@storefront/testing';
import { AuthorizationRules, filteredQueryHash, filterOperation } from '../authorization';
import { callerClass, FilteredOperations } from '../authorization-cache';
import { callerOf, contextBuilder, identify } from '../context';
import { authorizationPlugin, RulesBySchema } from '../operation-guard';
import { tokenLimit } from '../operation-limits';
import { clientRateLimit } from '../rate-limit';

const SCHEMA_DIR = join(__dirname, '..', '..', '..', 'schema');
const supergraph = readFileSync(join(SCHEMA_DIR, 'supergraph.graphql'), 'utf8');
const apiSdl = readFileSync(join(SCHEMA_DIR, 'api.graphql'), 'utf8');
const api = buildSchema(apiSdl);
const rules = AuthorizationRules.fromSupergraph(supergraph);
const keys = testKeys();
const publicKey = createPublicKey(keys.publicKeyPem);
const shopper: Caller = { userId: 'u2', roles: [], scopes: [] };
const admin: Caller = { userId: 'u1', roles: ['admin'], scopes: [] };
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const request = (authorization?: string) =>
  ({ headers: authorization ? { authorization } : {}, socket: { remoteAddress: '203.0.113.7' } }) as unknown as IncomingMessage;

function countedTokens(options: { now?: () => number } = {}) {
  const verify = jest.fn((key: KeyObject, token: string): Promise<VerifiedToken> => verifyTokenClaims(key, token));
  return { tokens: new TokenCache(publicKey, { verify, ...options }), verify };
}

describe('verified tokens at the router', () => {
  it('checks a token\'s signature once over 100 requests with it, through identity, the rate limiter and the context', async () => {
    const { tokens, verify } = countedTokens();
    const limiter = new RateLimiter(new MemoryRateLimitStore(), { limit: 1000, windowMs: 60_000, prefix: 'rl' });
    const identity = identify(publicKey, tokens);
    const rateLimit = clientRateLimit(limiter, 0);
    const context = contextBuilder(publicKey, 0, 0, tokens);
    const token = await keys.token({ userId: 'u2' });
    for (let i = 0; i < 100; i++) {
      const req = request(`Bearer ${token}`);
      await identity(undefined, req);
      await rateLimit(req);
      const built = await context(req, { requestId: `r${i}`, log: undefined as never } as never);
      expect(built.caller).toEqual(shopper);
      expect(built.authorization).toBe(`Bearer ${token}`);
    }
    expect(verify).toHaveBeenCalledTimes(1);
    expect(tokens.stats).toEqual({ verifications: 1, hits: 99 });
  });

  it('refuses an invalid token with 401 on every request, verifying it each time', async () => {
    const { tokens, verify } = countedTokens();
    const token = await keys.token({ userId: 'u2' });
    const forged = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    const context = contextBuilder(publicKey, 0, 0, tokens);
    for (let i = 0; i < 5; i++) {
      await expect(context(request(`Bearer ${forged}`), { requestId: 'r', log: undefined as never } as never)).rejects.toMatchObject({
        extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
      });
    }
    expect(verify).toHaveBeenCalledTimes(5);
    expect(tokens.size).toBe(0);
  });

  it('stops serving a cached token at its exp', async () => {
    let now = Date.now();
    const { tokens, verify } = countedTokens({ now: () => now });
    const token = await keys.token({ userId: 'u2' }, 60);
    const { expiresAt } = await verifyTokenClaims(publicKey, token);
    expect(await callerOf(request(`Bearer ${token}`), publicKey, tokens)).toEqual(shopper);
    now = expiresAt;
    await callerOf(request(`Bearer ${token}`), publicKey, tokens).catch(() => undefined);
    expect(verify).toHaveBeenCalledTimes(2);
  });
});

describe('the authorization filter, once per document and class of caller', () => {
  const query = `query($id: ID!) { me { id name orders { totalCount } } order(id: $id) { id } products(first: 2) { totalCount } }`;

  /** One request through the authorization stage's didResolveOperation, as the pipeline calls it. */
  async function guard(plugin: ReturnType<typeof authorizationPlugin>, document: DocumentNode, caller: Caller | null, schema: GraphQLSchema = api) {
    const hooks = (await plugin.requestDidStart!({} as never)) as { didResolveOperation: (c: unknown) => Promise<void> };
    const context = { schema, document, operation: getOperationAST(document), request: { variables: { id: 'o1' } }, contextValue: { caller }, queryHash: sha256(query) };
    await hooks.didResolveOperation(context);
    return context;
  }

  it('walks the document once per class over 100 requests, with the same result and plan key as a fresh walk', async () => {
    const filtered = new FilteredOperations();
    const rulesBySchema = new RulesBySchema();
    rulesBySchema.update(api, supergraph);
    const plugin = authorizationPlugin(rulesBySchema, filtered);
    const document = parse(query);
    const callers = [null, shopper, { userId: 'u3', roles: [], scopes: [] }, admin];
    for (let i = 0; i < 100; i++) {
      const caller = callers[i % callers.length]!;
      const context = await guard(plugin, document, caller);
      const fresh = filterOperation(api, rules, document, caller);
      expect(print(context.document)).toBe(print(fresh.document));
      expect(context.queryHash).toBe(fresh.denied.length ? filteredQueryHash(sha256(query), fresh.denied) : sha256(query));
    }
    // Anonymous, signed in without scopes (two shoppers share it), and admin.
    expect(filtered.stats).toEqual({ filtered: 3, reused: 97 });
  });

  it('tells callers apart by what decides: signed in or not, and the scopes the supergraph names', () => {
    expect(callerClass(rules, null)).not.toBe(callerClass(rules, shopper));
    expect(callerClass(rules, shopper)).toBe(callerClass(rules, { userId: 'u9', roles: ['unknown-role'], scopes: ['x'] }));
    expect(callerClass(rules, admin)).toBe(callerClass(rules, { userId: 'u9', roles: [], scopes: ['admin'] }));
    expect(callerClass(rules, admin)).not.toBe(callerClass(rules, shopper));
  });

  it('walks again for another schema, other rules or another query hash', () => {
    const filtered = new FilteredOperations();
    const document = parse(query);
    const hash = sha256(query);
    const first = filtered.filter(api, rules, document, null, hash);
    expect(first.denied).toEqual(['Query.order', 'User.orders']);
    expect(filtered.filter(api, rules, document, null, hash)).toBe(first);
    filtered.filter(buildSchema(apiSdl), rules, document, null, hash);
    filtered.filter(api, AuthorizationRules.fromSupergraph(supergraph), document, null, hash);
    const other = filtered.filter(api, rules, document, null, 'another-hash');
    expect(other.queryHash).toBe(filteredQueryHash('another-hash', first.denied));
    expect(filtered.stats).toEqual({ filtered: 4, reused: 1 });
  });
});

describe('the token limit', () => {
  it('lexes a text within the limit once, however often it comes', () => {
    const advance = jest.spyOn(Lexer.prototype, 'advance');
    try {
      const check = tokenLimit(100);
      const text = '{ products(first: 2) { totalCount } }';
      check(text);
      const lexed = advance.mock.calls.length;
      expect(lexed).toBeGreaterThan(5);
      for (let i = 0; i < 100; i++) check(text);
      expect(advance.mock.calls.length).toBe(lexed);
    } finally {
      advance.mockRestore();
    }
  });

  it('refuses a text over the limit every time, and forgets the oldest text past `remember`', () => {
    const advance = jest.spyOn(Lexer.prototype, 'advance');
    try {
      const check = tokenLimit(10, 2);
      const long = `{ ${'a '.repeat(20)}}`;
      for (let i = 0; i < 3; i++) expect(() => check(long)).toThrow('more than 10 tokens');
      check('{ a }');
      check('{ b }');
      check('{ c }');
      const before = advance.mock.calls.length;
      check('{ c }');
      check('{ b }');
      expect(advance.mock.calls.length).toBe(before);
      check('{ a }');
      expect(advance.mock.calls.length).toBeGreaterThan(before);
    } finally {
      advance.mockRestore();
    }
  });
});
