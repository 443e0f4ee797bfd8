import { parse, print } from 'graphql';
import { operationBody, PersistedOperations, safelist, sha256 } from '../persisted-operations';

const FILE = `# The product page
query ProductPage($sku: String!) { productBySku(sku: $sku) { ...Details } }
query Other { me { id } }
fragment Details on Product { id name }`;

const document = parse(FILE);
const body = operationBody(document, document.definitions[0] as never);
const operations = new PersistedOperations({
  format: 'apollo-persisted-query-manifest',
  version: 1,
  operations: [{ id: sha256(body), name: 'ProductPage', type: 'query', body }],
});
const check = safelist(operations);
const post = (body: unknown) => ({ method: 'POST', headers: {}, search: '', body });

describe('the safelist', () => {
  it('allows a manifest body as sent, reformatted, or inside its whole file with operationName', () => {
    expect(operations.allows(body, undefined)).toBe(true);
    expect(operations.allows(print(parse(body)).replace(/\n\s*/g, ' '), undefined)).toBe(true);
    expect(operations.allows(FILE, 'ProductPage')).toBe(true);
  });

  it('refuses any other operation, including a listed one with a field added', () => {
    expect(operations.allows(FILE, 'Other')).toBe(false);
    expect(operations.allows(body.replace('name', 'name sku'), undefined)).toBe(false);
    expect(operations.allows('not graphql {', undefined)).toBe(false);
  });

  it('answers an unlisted text with 400 PERSISTED_QUERY_NOT_FOUND before it is parsed by Apollo', () => {
    expect(() => check(post({ query: '{ me { id } }' }))).toThrow(expect.objectContaining({ status: 400, code: 'PERSISTED_QUERY_NOT_FOUND' }));
    expect(() => check({ method: 'GET', headers: {}, search: `?query=${encodeURIComponent('{ me { id } }')}`, body: undefined })).toThrow(
      expect.objectContaining({ code: 'PERSISTED_QUERY_NOT_FOUND' }),
    );
    expect(() => check(post({ query: body }))).not.toThrow();
  });

  it('serves ids from the manifest as its APQ cache, and registers nothing', async () => {
    const cache = operations.apqCache();
    expect(await cache.get(`apq:${sha256(body)}`)).toBe(body);
    await cache.set(`apq:${sha256('{ me { id } }')}`, '{ me { id } }');
    expect(await cache.get(`apq:${sha256('{ me { id } }')}`)).toBeUndefined();
  });

  it('refuses a manifest whose id is not the hash of its body', () => {
    expect(() => new PersistedOperations({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: sha256('x'), name: 'X', type: 'query', body }] })).toThrow(
      /not the sha256/,
    );
  });
});
