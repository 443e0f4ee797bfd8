import { buildSchema } from 'graphql';
import { breakingCheck } from '../breaking.check';
import type { OperationUsage } from '../operation-usage';

const base = buildSchema('type Query { product(id: ID!): Product  user(id: ID!): String } type Product { id: ID! name: String! }');
const next = buildSchema('type Query { product(id: ID!): Product } type Product { id: ID! name: String! colour: String }');
const usage: OperationUsage[] = [{ operation: { name: 'ProductPage', file: 'ops/p.graphql', line: 1 }, coordinates: new Set(['Query.product', 'Product.name']) }];

const run = (strict: boolean, ops = usage) => breakingCheck({ baseline: { kind: 'found', label: 'base', schema: base }, next, usage: ops, strict, index: new Map() });

describe('breakingCheck', () => {
  it('reports a breaking change no operation uses without failing, and lists the safe addition', async () => {
    const result = await run(false);
    expect(result.status).toBe('warn');
    expect(result.changes).toEqual([
      expect.objectContaining({ level: 'breaking', coordinate: 'Query.user', usedBy: [], blocking: false }),
      expect.objectContaining({ level: 'safe', coordinate: 'Product.colour', blocking: false }),
    ]);
    expect(result.summary).toBe('vs base: 1 breaking (0 blocking, 1 unused by any operation), 0 dangerous, 1 safe');
  });

  it('fails every breaking change with --strict', async () => {
    const result = await run(true);
    expect(result.status).toBe('fail');
    expect(result.findings).toEqual([expect.objectContaining({ code: 'BREAKING_CHANGE', message: '1 breaking change(s) (--strict): Query.user' })]);
  });

  it('fails a breaking change an operation uses, naming the operation', async () => {
    const result = await run(false, [{ ...usage[0]!, coordinates: new Set(['Query.user']) }]);
    expect(result.status).toBe('fail');
    expect(result.changes?.[0]).toMatchObject({ coordinate: 'Query.user', blocking: true, usedBy: [{ name: 'ProductPage', file: 'ops/p.graphql', line: 1 }] });
  });

  it('skips with a notice when there is no baseline, and fails when an asked-for baseline is unusable', async () => {
    const skip = await breakingCheck({ baseline: { kind: 'skip', reason: 'no history' }, next, usage, strict: false, index: new Map() });
    expect(skip).toMatchObject({ status: 'skip', findings: [expect.objectContaining({ severity: 'notice', code: 'NO_BASELINE' })] });
    const error = await breakingCheck({ baseline: { kind: 'error', reason: '--base nope is not a commit' }, next, usage, strict: false, index: new Map() });
    expect(error).toMatchObject({ status: 'fail', findings: [expect.objectContaining({ code: 'BAD_BASELINE' })] });
  });
});
