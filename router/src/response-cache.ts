import { createHash } from 'node:crypto';
import { HeaderMap, type ApolloServerPlugin, type GraphQLResponse } from '@apollo/server';
import { printSchema, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { Caller } from '@storefront/kit';
import type { RouterContext } from './context';
import type { RouterMetrics } from './metrics';
import type { ResponseStore } from './response-cache-store';

export { MemoryResponseStore, RedisResponseStore, type ResponseStore } from './response-cache-store';

/** Bumped when the entry format or the key's parts change, so old entries are never read. */
const FORMAT = 1;

type Scope = 'PUBLIC' | 'PRIVATE';

/** What identifies one operation's answer, before the caller is considered. */
export interface OperationIdentity {
  /** The API schema the operation was validated against (a reload or deploy starts afresh). */
  schemaId: string;
  /**
   * Apollo's hash of the operation text (for APQ the client's hash, which is the same sha256).
   * The operation guard replaces it with `filteredQueryHash(hash, denied)` when the caller may not
   * read some fields (authorization.ts), so it also carries the caller's authorization outcome:
   * callers whose outcomes differ get different keys, callers with the same outcome share.
   */
  queryHash: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

export interface CacheKeys {
  /** For PUBLIC answers: the same for every caller with the same authorization outcome. */
  shared: string;
  /** For PRIVATE answers: this one caller's own; none for an anonymous caller. */
  personal?: string;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** JSON with object keys sorted at every level, so equal variables in another order give one key. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * The variables the operation declares: the answer depends on nothing else, so extra ones a client
 * sends neither split the cache nor reach the key's serialization.
 */
export function declaredVariables(operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): Record<string, unknown> {
  const declared: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (variables && name in variables) declared[name] = variables[name];
  }
  return declared;
}

/**
 * The keys of an operation's cached answer. The personal key adds the verified caller's id (and
 * roles and scopes, which subgraphs may decide by: a token with new roles starts afresh).
 */
export function cacheKeys(identity: OperationIdentity, caller: Caller | null): CacheKeys {
  const shared = sha256(
    stableJson([FORMAT, identity.schemaId, identity.queryHash, identity.operationName ?? null, identity.variables ?? {}]),
  );
  if (!caller) return { shared };
  const personal = sha256(stableJson([shared, caller.userId, [...caller.roles].sort(), [...caller.scopes].sort()]));
  return { shared, personal };
}

/** One cached answer: the response body of a query without errors, and its policy. */
export interface CacheEntry {
  storedAt: number;
  maxAge: number;
  scope: Scope;
  data: Record<string, unknown>;
  extensions?: Record<string, unknown>;
}

export function decodeEntry(raw: string | undefined): CacheEntry | undefined {
  if (!raw) return undefined;
  try {
    const entry = JSON.parse(raw) as Partial<CacheEntry>;
    const valid =
      typeof entry.storedAt === 'number' &&
      typeof entry.maxAge === 'number' &&
      (entry.scope === 'PUBLIC' || entry.scope === 'PRIVATE') &&
      typeof entry.data === 'object' &&
      entry.data !== null;
    return valid ? (entry as CacheEntry) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Decoded entries by their stored text, so a popular entry is parsed once, not on every hit (for
 * a 100 KB answer the parse was the hit's largest cost). Bounded by the texts' total length. The
 * memory store hands back the same string each time, whose hash V8 keeps; a Redis hit is a new
 * string, hashed once. A decoded entry is shared by the responses that serve it: nothing after
 * this plugin changes the data of an answer without errors, and only those are stored.
 */
export class DecodedEntries {
  private readonly entries = new Map<string, CacheEntry>();
  private size = 0;

  constructor(private readonly maxChars = 16 * 1024 * 1024) {}

  decode(raw: string | undefined): CacheEntry | undefined {
    if (!raw) return undefined;
    const known = this.entries.get(raw);
    if (known) {
      // Most recently used last.
      this.entries.delete(raw);
      this.entries.set(raw, known);
      return known;
    }
    const entry = decodeEntry(raw);
    if (!entry || raw.length > this.maxChars / 8) return entry;
    this.entries.set(raw, entry);
    this.size += raw.length;
    for (const [oldest] of this.entries) {
      if (this.size <= this.maxChars) break;
      this.entries.delete(oldest);
      this.size -= oldest.length;
    }
    return entry;
  }
}

export interface ResponseCacheOptions {
  /** Where answers are kept; without one nothing is cached, and only the Cache-Control rules apply. */
  store?: ResponseStore;
  metrics?: RouterMetrics;
  /** Longest time an answer stays in the cache, in seconds, whatever the hints say; 0: the hints decide. @default 0 */
  maxAgeSeconds?: number;
  now?: () => number;
}

/**
 * The `Cache-Control` an answer sends: `max-age=N, public|private` for a single answer with no
 * errors whose policy is cacheable, else `no-store` (the same rule as Apollo's cache-control plugin).
 */
export function cacheControlHeader(response: GraphQLResponse, policy: { maxAge: number; scope?: Scope } | null): string {
  const single = response.body.kind === 'single' ? response.body.singleResult : undefined;
  if (!policy || !single || single.errors?.length) return 'no-store';
  return `max-age=${policy.maxAge}, ${(policy.scope ?? 'PUBLIC').toLowerCase()}`;
}

/**
 * The response cache: whole answers to queries, kept as long as the subgraphs' `@cacheControl`
 * hints allow (the request's overall cache policy, which every subgraph fetch tightens).
 *
 * - Only queries; a mutation is never served from or stored in the cache, and says `no-store`.
 * - Never an answer with errors, with no data, or whose policy is not cacheable (maxAge 0, or a
 *   subgraph that sent no hints).
 * - PUBLIC answers are shared by every caller with the same authorization outcome (the key).
 *   PRIVATE answers are kept only for a signed-in caller, under a key with their id; an anonymous
 *   caller's PRIVATE answer is not cached at all.
 * - A hit restores the entry's policy, so it sends the same `Cache-Control` as the miss did, with
 *   `age`; `x-cache` says HIT or MISS.
 * - It writes the `Cache-Control` header itself, last, from the policy and the answer as the stages
 *   before it left them (Apollo's cache-control plugin is registered with `calculateHttpHeaders:
 *   false`): an error the authorization stage adds in `willSendResponse` makes it `no-store`.
 * - A signed-in caller's answer says `private` to HTTP caches even when the cache shares it: a
 *   shared HTTP cache keys by URL, not by what the caller's token lets them read.
 *
 * Register it after the operation guard, so it stores the answer as the guard completed it.
 */
export function responseCache(options: ResponseCacheOptions = {}): ApolloServerPlugin<RouterContext> {
  const { store, metrics } = options;
  const cap = options.maxAgeSeconds ?? 0;
  const now = options.now ?? Date.now;
  const decoded = new DecodedEntries();
  const schemaIds = new WeakMap<GraphQLSchema, string>();
  const schemaId = (schema: GraphQLSchema): string => {
    let id = schemaIds.get(schema);
    if (!id) {
      id = sha256(printSchema(schema)).slice(0, 16);
      schemaIds.set(schema, id);
    }
    return id;
  };

  return {
    async requestDidStart() {
      let keys: CacheKeys | undefined;
      let hit = false;
      return {
        async responseForOperation(requestContext): Promise<GraphQLResponse | null> {
          const { operation, request, contextValue } = requestContext;
          if (operation?.operation !== 'query') {
            requestContext.overallCachePolicy.restrict({ maxAge: 0 });
            return null;
          }
          const { queryHash } = requestContext;
          if (!store || !queryHash) return null;
          keys = cacheKeys(
            { schemaId: schemaId(requestContext.schema), queryHash, operationName: request.operationName, variables: declaredVariables(operation, request.variables) },
            contextValue.caller,
          );
          // The caller's own entry first: of one operation, a PRIVATE answer is the more specific.
          const candidates: [string, Scope][] = keys.personal ? [[keys.personal, 'PRIVATE'], [keys.shared, 'PUBLIC']] : [[keys.shared, 'PUBLIC']];
          for (const [key, scope] of candidates) {
            const entry = decoded.decode(await store.get(key));
            // A PRIVATE entry is only ever read back from its owner's key.
            if (!entry || entry.scope !== scope) continue;
            hit = true;
            metrics?.responseCacheHits.inc({ scope: scope.toLowerCase() });
            requestContext.overallCachePolicy.replace({ maxAge: entry.maxAge, scope: entry.scope });
            const age = Math.min(entry.maxAge, Math.max(0, Math.floor((now() - entry.storedAt) / 1000)));
            return {
              http: { headers: new HeaderMap([['x-cache', 'HIT'], ['age', String(age)]]) },
              body: { kind: 'single', singleResult: { data: entry.data, ...(entry.extensions ? { extensions: entry.extensions } : {}) } },
            };
          }
          metrics?.responseCacheMisses.inc();
          requestContext.response.http.headers.set('x-cache', 'MISS');
          return null;
        },

        async willSendResponse({ response, overallCachePolicy, contextValue }) {
          // Decided before the header rule below narrows the policy's scope.
          let entry: { key: string; ttl: number; value: CacheEntry } | undefined;
          if (store && keys && !hit && response.body.kind === 'single' && (response.http.status ?? 200) === 200) {
            const { data, errors, extensions } = response.body.singleResult;
            const policy = overallCachePolicy.policyIfCacheable();
            const key = policy?.scope === 'PRIVATE' ? keys.personal : keys.shared;
            const ttl = policy ? (cap > 0 ? Math.min(policy.maxAge, cap) : policy.maxAge) : 0;
            if (policy && key && ttl > 0 && !errors?.length && data) {
              entry = { key, ttl, value: { storedAt: now(), maxAge: policy.maxAge, scope: policy.scope, data, ...(extensions ? { extensions } : {}) } };
            }
          }
          if (contextValue?.caller) overallCachePolicy.restrict({ scope: 'PRIVATE' });
          response.http.headers.set('cache-control', cacheControlHeader(response, overallCachePolicy.policyIfCacheable()));
          if (entry) await store!.set(entry.key, JSON.stringify(entry.value), entry.ttl);
        },
      };
    },
  };
}
