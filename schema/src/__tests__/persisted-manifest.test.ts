import { createHash } from 'node:crypto';
import { parseOperationFile, type OperationFile } from '../operations';
import { buildManifest } from '../persisted-manifest';

function file(text: string): OperationFile {
  const parsed = parseOperationFile('schema/operations/x.graphql', text);
  if (!('document' in parsed)) throw new Error(parsed.message);
  return parsed;
}

describe('buildManifest', () => {
  const manifest = buildManifest([
    file(`query ProductPage($sku: String!) { productBySku(sku: $sku) { ...Details } }
      query ProductPageById($id: ID!) { product(id: $id) { ...Details } }
      fragment Price on Product { price { amountCents } }
      fragment Details on Product { name ...Price }
      fragment Unused on Product { sku }`),
    file(`mutation AddReview($input: AddReviewInput!) { addReview(input: $input) { id } }`),
  ]);

  it('makes one entry per operation, sorted by name, in the Apollo manifest format', () => {
    expect(manifest.format).toBe('apollo-persisted-query-manifest');
    expect(manifest.version).toBe(1);
    expect(manifest.operations.map((o) => [o.name, o.type])).toEqual([
      ['AddReview', 'mutation'],
      ['ProductPage', 'query'],
      ['ProductPageById', 'query'],
    ]);
  });

  it('gives each operation the fragments it uses (transitively, sorted by name) and no others', () => {
    const body = manifest.operations.find((o) => o.name === 'ProductPage')!.body;
    expect(body.indexOf('fragment Details')).toBeGreaterThan(body.indexOf('query ProductPage'));
    expect(body.indexOf('fragment Price')).toBeGreaterThan(body.indexOf('fragment Details'));
    expect(body).not.toContain('Unused');
    expect(body).not.toContain('ProductPageById');
  });

  it('identifies each operation by the sha256 of its body, the id APQ clients send', () => {
    for (const operation of manifest.operations) {
      expect(operation.id).toBe(createHash('sha256').update(operation.body).digest('hex'));
    }
  });
});
