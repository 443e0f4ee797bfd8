import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from '@storefront/kit';
import { buildSchema, getOperationAST, Kind, parse, type OperationDefinitionNode } from 'graphql';
import { envSchema } from '../env';
import { countTokens, limitError, measureOperation, type OperationLimits } from '../operation-limits';
import { operationLimits } from '../server';

const SCHEMA_DIR = join(__dirname, '..', '..', '..', 'schema');
const schema = buildSchema(readFileSync(join(SCHEMA_DIR, 'api.graphql'), 'utf8'));

function measure(query: string, variables: Record<string, unknown> = {}, listSize = 10) {
  const document = parse(query);
  return measureOperation(schema, document, getOperationAST(document)!, variables, listSize);
}

const LIMITS: OperationLimits = { depth: 5, aliases: 2, rootFields: 2, directives: 2, tokens: 100, cost: 100, listSize: 10 };

describe('measureOperation', () => {
  it('measures depth as the deepest field path, through fragments', () => {
    expect(measure(`{ me { id } }`).depth).toBe(2);
    expect(measure(`{ products { edges { node { ...P } } } } fragment P on Product { reviews { edges { node { author { name } } } } }`).depth).toBe(8);
  });

  it('counts aliases and directives once per place they are written, fragments once per spread', () => {
    const m = measure(`query($s: Boolean!) { a: me { ...F } b: me { ...F } } fragment F on User { x: name @include(if: $s) y: id }`, { s: true });
    expect(m.aliases).toBe(2 + 2 * 2);
    expect(m.directives).toBe(2);
  });

  it('counts root fields through root fragments', () => {
    expect(measure(`{ me { id } ...R } fragment R on Query { a: product(id: "1") { id } b: product(id: "2") { id } }`).rootFields).toBe(3);
  });

  it('costs a connection at its `first` (literal, variable, or schema default) and other lists at the assumed size', () => {
    // products 1 + edges 5 + nodes 5
    expect(measure(`{ products(first: 5) { edges { node { name } } } }`).cost).toBe(11);
    expect(measure(`query($n: Int) { products(first: $n) { edges { node { name } } } }`, { n: 50 }).cost).toBe(101);
    // The schema's default for products(first:) is 20.
    expect(measure(`{ products { edges { node { name } } } }`).cost).toBe(41);
    // me 1 + reviews (a list whose `first` defaults to 20) + their products 20
    expect(measure(`{ me { reviews { product { name } } } }`).cost).toBe(41);
    // A list with no slicing argument at all is priced at the assumed size: orders' items, 10.
    expect(measure(`{ order(id: "1") { items { product { name } } } }`).cost).toBe(21);
  });

  it('multiplies nested lists, which is what makes a cost bomb expensive', () => {
    const bomb = `{ products(first: 100) { edges { node { reviews(first: 100) { edges { node { author { reviews { product { name } } } } } } } } } }`;
    expect(measure(bomb).cost).toBeGreaterThan(200_000);
  });

  it('does not count introspection, which the router answers itself', () => {
    expect(measure(`{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }`)).toMatchObject({ depth: 0, cost: 0 });
  });
});

describe('limitError', () => {
  it.each([
    ['depth', `{ me { reviews { product { reviews { edges { node { id } } } } } } }`],
    ['aliases', `{ a: me { id } b: me { id } c: me { id } }`],
    ['rootFields', `{ me { id } product(id: "1") { id } review(id: "1") { id } }`],
    ['directives', `{ me @include(if: true) { id @include(if: true) name @skip(if: false) } }`],
    ['cost', `{ products(first: 50) { edges { node { id } } } }`],
  ])('refuses an operation over the %s limit with GRAPHQL_VALIDATION_FAILED, naming the limit', (limit, query) => {
    const error = limitError(measure(query), LIMITS);
    expect(error?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit, max: LIMITS[limit as keyof OperationLimits] });
    expect(error?.message).toMatch(/over this router's limit/);
  });

  it('lets an operation within every limit through, and a limit of 0 means none', () => {
    expect(limitError(measure(`{ me { id } }`), LIMITS)).toBeUndefined();
    expect(limitError(measure(`{ products(first: 50) { edges { node { id } } } }`), { ...LIMITS, cost: 0 })).toBeUndefined();
  });
});

describe('countTokens', () => {
  it('counts lexical tokens and stops just past the limit', () => {
    expect(countTokens(`{ me { id } }`, 100)).toBe(6);
    expect(countTokens(`{ ${'a '.repeat(1_000_000)}}`, 1000)).toBe(1001);
  });
});

describe('the default limits', () => {
  // The router's own mapping from its environment, so the test checks what it really enforces.
  const defaults: OperationLimits = operationLimits(parseEnv(envSchema, {}));
  const files = (readdirSync(join(SCHEMA_DIR, 'operations'), { recursive: true }) as string[]).filter((f) => f.endsWith('.graphql'));

  it.each(files)('let every operation of schema/operations/%s through, at its largest page size (100)', (file) => {
    const text = readFileSync(join(SCHEMA_DIR, 'operations', file), 'utf8');
    expect(countTokens(text, defaults.tokens)).toBeLessThanOrEqual(defaults.tokens);
    const document = parse(text);
    for (const operation of document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)) {
      const largest = Object.fromEntries((operation.variableDefinitions ?? []).map((v) => [v.variable.name.value, 100]));
      expect({ operation: operation.name?.value, error: limitError(measureOperation(schema, document, operation, largest, defaults.listSize), defaults)?.message }).toEqual({
        operation: operation.name?.value,
        error: undefined,
      });
    }
  });
});
