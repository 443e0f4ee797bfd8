import { Client, fetchExchange } from '@urql/core';

/**
 * One urql client per session (a new token means a new client, so nothing cached for one user is
 * shown to the next). Only `fetchExchange`: the default document cache rewrites each operation to
 * add `__typename`, and the router's safelist mode accepts only the operations of schema/operations
 * as written. Every query therefore goes to the network, which also keeps stock and orders fresh.
 */
export function createClient(token: string | null): Client {
  return new Client({
    url: '/graphql',
    exchanges: [fetchExchange],
    requestPolicy: 'network-only',
    // POST, always: the router's CSRF prevention refuses a GET without a preflight header.
    preferGetMethod: false,
    fetchOptions: (): RequestInit => (token ? { headers: { authorization: `Bearer ${token}` } } : {}),
  });
}
