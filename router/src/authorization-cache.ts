import type { Caller } from '@storefront/kit';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { filteredQueryHash, filterOperation, type AuthorizationRules, type FilteredOperation } from './authorization';

/** A filtered operation with the plan key that goes with it. */
export interface FilteredWithKey extends FilteredOperation {
  /** The query hash the gateway plans under: the request's own when nothing was removed. */
  queryHash: string;
}

interface Entry {
  schema: GraphQLSchema;
  rules: AuthorizationRules;
  queryHash: string;
  result: FilteredWithKey;
}

/**
 * What the authorization filter decides for one caller depends on nothing but whether there is a
 * caller and which of the scopes the supergraph names it holds (a role counts as a scope):
 * `decide` reads no more. Callers of one class get the same filtered operation.
 */
export function callerClass(rules: AuthorizationRules, caller: Caller | null, scopes: readonly string[] = rules.scopes()): string {
  if (!caller) return 'anonymous';
  const held = new Set([...caller.scopes, ...caller.roles]);
  return `signed in:${scopes.filter((scope) => held.has(scope)).join(' ')}`;
}

/**
 * The authorization filter, once per document and class of caller instead of once per request.
 * Apollo Server hands every request of one operation text the same validated DocumentNode (its
 * document store), so the filtered operation and its plan key are kept beside that object (a
 * WeakMap: they go when Apollo drops the document). A class's entry is reused only for the same
 * API schema, rules and query hash; anything else is filtered afresh. At most `maxClasses`
 * classes per document are kept (the supergraph's scopes bound them anyway); past that the filter
 * simply runs. The walk is the same `filterOperation`, so every check stays as it was.
 */
export class FilteredOperations {
  private readonly byDocument = new WeakMap<DocumentNode, Map<string, Entry>>();
  private readonly scopes = new WeakMap<AuthorizationRules, readonly string[]>();
  private counts = { filtered: 0, reused: 0 };

  constructor(private readonly maxClasses = 32) {}

  filter(schema: GraphQLSchema, rules: AuthorizationRules, document: DocumentNode, caller: Caller | null, queryHash: string): FilteredWithKey {
    let scopes = this.scopes.get(rules);
    if (!scopes) {
      scopes = rules.scopes();
      this.scopes.set(rules, scopes);
    }
    const key = callerClass(rules, caller, scopes);
    let classes = this.byDocument.get(document);
    const known = classes?.get(key);
    if (known && known.schema === schema && known.rules === rules && known.queryHash === queryHash) {
      this.counts.reused += 1;
      return known.result;
    }
    this.counts.filtered += 1;
    const filtered = filterOperation(schema, rules, document, caller);
    const result = { ...filtered, queryHash: filtered.denied.length > 0 ? filteredQueryHash(queryHash, filtered.denied) : queryHash };
    if (!classes) {
      classes = new Map();
      this.byDocument.set(document, classes);
    }
    if (classes.has(key) || classes.size < this.maxClasses) classes.set(key, { schema, rules, queryHash, result });
    return result;
  }

  /** Walks made and reused since this was made (for tests). */
  get stats(): { filtered: number; reused: number } {
    return { ...this.counts };
  }
}
