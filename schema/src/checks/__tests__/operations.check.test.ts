import { buildSchema } from 'graphql';
import { parseOperationFile, type OperationFile } from '../../operations';
import { coordinateOfError, operationsCheck, ownerAt } from '../operations.check';

const schema = buildSchema('type Query { product(id: ID!): Product } type Product { id: ID! name: String! }');

function file(name: string, text: string): OperationFile {
  const parsed = parseOperationFile(name, text);
  if (!('document' in parsed)) throw new Error(parsed.message);
  return parsed;
}

describe('operationsCheck', () => {
  it('passes operations that validate', () => {
    const result = operationsCheck({ files: [file('a.graphql', 'query A { product(id: "1") { id name } }')], problems: [] }, schema);
    expect(result).toMatchObject({ status: 'pass', findings: [], summary: '1 operation(s) in 1 file(s) validate against the new API schema' });
  });

  it('fails an operation that selects a missing field, naming the operation, the field and the line', () => {
    const result = operationsCheck({ files: [file('a.graphql', 'query A {\n  product(id: "1") {\n    colour\n  }\n}')], problems: [] }, schema);
    expect(result.status).toBe('fail');
    expect(result.findings).toEqual([
      expect.objectContaining({ code: 'INVALID_OPERATION', coordinate: 'Product.colour', message: 'operation A no longer validates: Cannot query field "colour" on type "Product".', locations: [{ file: 'a.graphql', line: 3 }] }),
    ]);
  });

  it('fails anonymous and duplicate operation names', () => {
    const result = operationsCheck({ files: [file('a.graphql', '{ product(id: "1") { id } }'), file('b.graphql', 'query A { product(id: "1") { id } }'), file('c.graphql', 'query A { product(id: "2") { id } }')], problems: [] }, schema);
    expect(result.findings.map((f) => f.code).sort()).toEqual(['ANONYMOUS_OPERATION', 'DUPLICATE_OPERATION']);
  });

  it('warns when there are no operations to check', () => {
    expect(operationsCheck({ files: [], problems: [] }, schema)).toMatchObject({ status: 'warn', findings: [expect.objectContaining({ code: 'NO_OPERATIONS' })] });
  });
});

describe('ownerAt', () => {
  it('names a fragment and the operations that spread it, directly or through another fragment', () => {
    const f = file('p.graphql', 'query A { product(id: "1") { ...Outer } }\nquery B { product(id: "1") { id } }\nfragment Outer on Product { ...Inner }\nfragment Inner on Product {\n  name\n}');
    expect(ownerAt(f, 1)).toBe('operation A');
    expect(ownerAt(f, 5)).toBe('fragment Inner (spread by A)');
  });
});

describe('coordinateOfError', () => {
  it.each([
    ['Cannot query field "name" on type "Product".', 'Product.name'],
    ['Unknown argument "search" on field "Query.products".', 'Query.products.search'],
    ['Value "FAILED" does not exist in "OrderStatus" enum.', 'OrderStatus.FAILED'],
    ['Unknown type "Colour".', 'Colour'],
    ['Syntax Error: Unexpected "}".', undefined],
  ])('reads %j as %s', (message, coordinate) => {
    expect(coordinateOfError(message)).toBe(coordinate);
  });
});
