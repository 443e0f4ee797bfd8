import type { IncomingMessage } from 'node:http';
import { clientAddress } from '../client-address';
import { formatRouterError } from '../error-masking';
import { supergraphForGateway } from '../supergraph';

const request = (peer: string, forwarded?: string) =>
  ({ socket: { remoteAddress: peer }, headers: forwarded ? { 'x-forwarded-for': forwarded } : {} }) as unknown as IncomingMessage;

describe('clientAddress', () => {
  it('is the connection peer when no proxy is trusted, whatever X-Forwarded-For claims', () => {
    expect(clientAddress(request('10.0.0.2', '1.2.3.4'), 0)).toBe('10.0.0.2');
  });

  it('is the entry the trusted proxy appended, not what the client wrote before it', () => {
    expect(clientAddress(request('10.0.0.2', '6.6.6.6, 198.51.100.4'), 1)).toBe('198.51.100.4');
    expect(clientAddress(request('10.0.0.2', '198.51.100.4, 10.0.0.9'), 2)).toBe('198.51.100.4');
    expect(clientAddress(request('10.0.0.2'), 1)).toBe('10.0.0.2');
  });
});

describe('formatRouterError', () => {
  it('keeps a contract error with its public extensions only', () => {
    expect(formatRouterError({ message: 'No', extensions: { code: 'FORBIDDEN', serviceName: 'orders', exception: { stacktrace: ['at x'] } } })).toEqual({
      message: 'No',
      extensions: { code: 'FORBIDDEN', serviceName: 'orders' },
    });
  });

  it('turns a subgraph HTTP failure into DOWNSTREAM_SERVICE_ERROR without its URL', () => {
    const formatted = formatRouterError({
      message: '401: Unauthorized',
      extensions: { code: 'UNAUTHENTICATED', serviceName: 'products', response: { url: 'http://products.internal:4002/graphql', status: 401 } },
    });
    expect(formatted).toEqual({ message: 'The products service could not answer', extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'products' } });
  });

  it('replaces a downstream message that names a host, and keeps one that does not', () => {
    const leaky = formatRouterError({ message: 'request to http://10.0.3.7:4002/graphql failed, reason: connect ECONNREFUSED', extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'products' } });
    expect(leaky.message).toBe('The products service could not answer');
    const safe = formatRouterError({ message: 'The reviews service timed out after 300 ms', extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'reviews' } });
    expect(safe.message).toBe('The reviews service timed out after 300 ms');
  });

  it('masks anything without a contract code', () => {
    expect(formatRouterError({ message: "ER_NO_SUCH_TABLE: Table 'x.y' doesn't exist", extensions: {} })).toEqual({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });
});

describe('supergraphForGateway', () => {
  it('drops `for: SECURITY` from the links this router enforces, and only from those', () => {
    const sdl = `schema
  @link(url: "https://specs.apollo.dev/join/v0.4", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)
  @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)
  @link(url: "https://example.com/unknown-security/v1.0", for: SECURITY)
{ query: Query }`;
    const out = supergraphForGateway(sdl);
    expect(out).toContain('@link(url: "https://specs.apollo.dev/authenticated/v0.1")');
    expect(out).toContain('@link(url: "https://specs.apollo.dev/requiresScopes/v0.1")');
    expect(out).toContain('@link(url: "https://example.com/unknown-security/v1.0", for: SECURITY)');
    expect(out).toContain('for: EXECUTION');
  });
});
