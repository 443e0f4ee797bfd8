import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, getOperationAST, parse, print } from 'graphql';
import type { Caller } from '@storefront/kit';
import { AuthorizationRules, decide, filterOperation } from '../authorization';
import { restoreDenied } from '../authorization-restore';

const SCHEMA_DIR = join(__dirname, '..', '..', '..', 'schema');
const api = buildSchema(readFileSync(join(SCHEMA_DIR, 'api.graphql'), 'utf8'));
const rules = AuthorizationRules.fromSupergraph(readFileSync(join(SCHEMA_DIR, 'supergraph.graphql'), 'utf8'));

const shopper: Caller = { userId: 'u2', roles: [], scopes: [] };
const admin: Caller = { userId: 'u1', roles: ['admin'], scopes: [] };

/** Filters, "executes" with the given data for the filtered operation, and restores. */
function run(query: string, caller: Caller | null, data: Record<string, unknown> | null, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const filtered = filterOperation(api, rules, document, caller);
  const restored = restoreDenied(api, rules, caller, document, getOperationAST(document)!, variables, data);
  return { filtered, ...restored };
}

describe('the rules read from our supergraph', () => {
  it.each([
    ['Query', 'order', 'UNAUTHENTICATED', 'allowed'],
    ['User', 'orders', 'UNAUTHENTICATED', 'allowed'],
    ['Mutation', 'addReview', 'UNAUTHENTICATED', 'allowed'],
    ['Mutation', 'placeOrder', 'UNAUTHENTICATED', 'allowed'],
    ['Mutation', 'cancelOrder', 'UNAUTHENTICATED', 'allowed'],
    ['Mutation', 'createProduct', 'UNAUTHENTICATED', 'FORBIDDEN'],
    ['Mutation', 'setStock', 'UNAUTHENTICATED', 'FORBIDDEN'],
  ])('%s.%s: anonymous %s, a shopper %s, an admin allowed', (type, field, anonymous, signedIn) => {
    const requirement = rules.requirement(api, api.getType(type) as never, field);
    expect(decide(requirement, null)).toBe(anonymous);
    expect(decide(requirement, shopper) ?? 'allowed').toBe(signedIn);
    expect(decide(requirement, admin)).toBeUndefined();
  });

  it('leaves public fields public', () => {
    for (const [type, field] of [['Query', 'products'], ['Query', 'me'], ['User', 'email'], ['Mutation', 'logIn'], ['Product', 'stock']]) {
      expect(decide(rules.requirement(api, api.getType(type!) as never, field!), null)).toBeUndefined();
    }
  });

  it('accepts a scope from the token as well as a role of the same name', () => {
    const requirement = rules.requirement(api, api.getMutationType()!, 'setStock');
    expect(decide(requirement, { userId: 'x', roles: [], scopes: ['admin'] })).toBeUndefined();
  });
});

describe('filterOperation and restoreDenied', () => {
  it('leaves an operation the caller may run untouched (same document object)', () => {
    const document = parse(`{ products { totalCount } }`);
    expect(filterOperation(api, rules, document, null).document).toBe(document);
  });

  it('removes a denied nullable field before planning and serves it back as null with its error', () => {
    const result = run(`query($id: ID!) { me { id } order(id: $id) { id total { amountCents } } }`, null, { me: null }, { id: 'o1' });
    expect(result.filtered.denied).toEqual(['Query.order']);
    expect(print(result.filtered.document)).not.toContain('order');
    expect(result.data).toEqual({ me: null, order: null });
    expect(result.errors).toEqual([{ message: 'You must be signed in to read Query.order', path: ['order'], extensions: { code: 'UNAUTHENTICATED' } }]);
  });

  it('reports a denied field once for each place it appears in the response, with that path', () => {
    const data = { a: { name: 'Ada' }, b: { name: 'Bob' } };
    const result = run(`{ a: user(id: "1") { name orders { totalCount } } b: user(id: "2") { name orders { totalCount } } }`, null, data);
    expect(result.data).toEqual({ a: { name: 'Ada', orders: null }, b: { name: 'Bob', orders: null } });
    expect(result.errors.map((e) => e.path)).toEqual([['a', 'orders'], ['b', 'orders']]);
  });

  it('propagates the null of a denied non-null field to the nearest nullable parent: here the whole data', () => {
    const mutation = `mutation { setStock(productId: "p1", stock: 0) { id stock } }`;
    const result = run(mutation, shopper, { __typename: 'Mutation' });
    expect(print(result.filtered.document)).toContain('__typename');
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([{ message: 'You are not allowed to read Mutation.setStock', path: ['setStock'], extensions: { code: 'FORBIDDEN' } }]);
  });

  it('keeps the fields next to a denied one, in the order the client asked for them', () => {
    const result = run(`mutation { logIn(email: "a", password: "b") { token } setStock(productId: "p1", stock: 0) { id } }`, null, {
      logIn: { token: 't' },
    });
    expect(result.data).toBeNull();
    const nullable = run(`{ products(first: 1) { totalCount } order(id: "o") { id } me { id } }`, null, { products: { totalCount: 50 }, me: null });
    expect(Object.keys(nullable.data!)).toEqual(['products', 'order', 'me']);
    expect(nullable.data).toEqual({ products: { totalCount: 50 }, order: null, me: null });
  });

  it('applies the rules inside fragments and inline fragments, and honours @skip', () => {
    const query = `query($skip: Boolean!) { user(id: "1") { ...U } ... on Query { o: order(id: "x") @skip(if: $skip) { id } } }
      fragment U on User { name orders { totalCount } }`;
    const result = run(query, null, { user: { name: 'Ada' } }, { skip: true });
    expect(result.filtered.denied).toEqual(['Query.order', 'User.orders']);
    expect(result.data).toEqual({ user: { name: 'Ada', orders: null } });
    expect(result.errors.map((e) => e.path)).toEqual([['user', 'orders']]);
  });

  it('reads a defaulted @skip variable the request left out from its default (was a 500)', () => {
    const query = `query($v: Boolean = true) { order(id: "x") { id } products(first: 1) { totalCount @skip(if: $v) } }`;
    const result = run(query, null, { products: {} });
    expect(result.data).toEqual({ order: null, products: {} });
    expect(result.errors.map((e) => e.path)).toEqual([['order']]);
  });
});

describe('on abstract types', () => {
  const supergraph = `schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", as: "scopes", for: SECURITY) { query: Query }
    interface Node { id: ID! }
    type Vault implements Node { id: ID! code: String! @scopes(scopes: [["vault:read"], ["admin", "audit"]]) }
    type Shelf implements Node { id: ID! label: String }
    type Query { nodes: [Node!]! }`;
  const schema = buildSchema(`interface Node { id: ID! } type Vault implements Node { id: ID! code: String! } type Shelf implements Node { id: ID! label: String } type Query { nodes: [Node!]! }`);
  const abstractRules = AuthorizationRules.fromSupergraph(supergraph);

  it('reads a renamed directive and its alternatives of scope sets', () => {
    const requirement = abstractRules.requirement(schema, schema.getType('Vault') as never, 'code');
    expect(decide(requirement, { userId: 'a', roles: [], scopes: ['vault:read'] })).toBeUndefined();
    expect(decide(requirement, { userId: 'a', roles: ['admin'], scopes: ['audit'] })).toBeUndefined();
    expect(decide(requirement, { userId: 'a', roles: ['admin'], scopes: [] })).toBe('FORBIDDEN');
  });

  it('nulls a list item whose non-null denied field was asked for on its runtime type only', () => {
    const document = parse(`{ nodes { id ... on Vault { code } ... on Shelf { label } } }`);
    const filtered = filterOperation(schema, abstractRules, document, shopper);
    expect(print(filtered.document)).toContain('authzTypename__: __typename');
    const data = { nodes: [{ id: 'v', authzTypename__: 'Vault' }, { id: 's', label: 'top', authzTypename__: 'Shelf' }] };
    const restored = restoreDenied(schema, abstractRules, shopper, document, getOperationAST(document)!, {}, data);
    // Vault.code is non-null, so the Vault becomes null; the list's items are non-null, so the list does; nodes is non-null: data.
    expect(restored.data).toBeNull();
    expect(restored.errors).toEqual([{ message: 'You are not allowed to read Vault.code', path: ['nodes', 0, 'code'], extensions: { code: 'FORBIDDEN' } }]);
  });
});
