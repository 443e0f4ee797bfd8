import { inboundShareKey } from '../inbound-dedupe';

const request = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  search: '',
  body,
});

describe('which inbound requests may share an execution', () => {
  const query = { query: '{ products(first: 20) { totalCount } }' };

  it('shares identical reads of the same caller', () => {
    const raw = JSON.stringify(query);
    expect(inboundShareKey(request(query), raw)).toBe(inboundShareKey(request(query), raw));
  });

  it('keeps callers apart: another token is another key', () => {
    const raw = JSON.stringify(query);
    expect(inboundShareKey(request(query, { authorization: 'Bearer a' }), raw)).not.toBe(
      inboundShareKey(request(query, { authorization: 'Bearer b' }), raw),
    );
  });

  it.each([
    ['a mutation', { query: 'mutation { cancelOrder(id: "1") { id } }' }],
    ['a document with a mutation beside a query', { query: 'query A { me { id } } mutation B { cancelOrder(id: "1") { id } }' }],
    ['a persisted query without its text', { extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } }],
  ])('never shares %s', (_label, body) => {
    expect(inboundShareKey(request(body), JSON.stringify(body))).toBeUndefined();
  });

  it('never shares a request that is not a JSON POST (its CSRF check may differ)', () => {
    expect(inboundShareKey({ ...request(query), headers: { 'content-type': 'text/plain' } }, JSON.stringify(query))).toBeUndefined();
    expect(inboundShareKey({ ...request(query), method: 'GET' }, '')).toBeUndefined();
  });
});
