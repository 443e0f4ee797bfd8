/**
 * Every walk the router makes over a client's document is linear in the document's size: the
 * operation limits, the authorization filter and the restore of denied fields. Proved by counting
 * the selections each walk visits, for documents that grow (a fragment spread twice per level,
 * 2^levels if expanded) and for seeded random documents within the token limit; never by timing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildSchema,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  isScalarType,
  isEnumType,
  isNonNullType,
  Kind,
  parse,
  print,
  validate,
  visit,
  type DocumentNode,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { AuthorizationRules, filterOperation } from '../authorization';
import { restoreDenied } from '../authorization-restore';
import { countTokens, fragmentsOf, measureOperation, type WalkStats } from '../operation-limits';

const SCHEMA_DIR = join(__dirname, '..', '..', '..', 'schema');
const schema = buildSchema(readFileSync(join(SCHEMA_DIR, 'api.graphql'), 'utf8'));
const rules = AuthorizationRules.fromSupergraph(readFileSync(join(SCHEMA_DIR, 'supergraph.graphql'), 'utf8'));
const TOKEN_LIMIT = 5000;

const operationOf = (document: DocumentNode): OperationDefinitionNode =>
  document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;

/** The size of a document as written: its selections (fields, inline fragments, spreads). */
function selectionsIn(document: DocumentNode): number {
  let count = 0;
  const count1 = () => {
    count += 1;
  };
  visit(document, { Field: count1, InlineFragment: count1, FragmentSpread: count1 });
  return count;
}

/** `query { ...F0 } fragment F0 on Query { ...F1 ...F1 } … fragment Fn on Query { <leaf> }`. */
function doublingDocument(levels: number, leaf: string): string {
  const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
  return `query { ...F0 } ${fragments.join(' ')} fragment F${levels} on Query { ${leaf} }`;
}

/** What each walk costs on one document. */
function walkCosts(text: string, variables: Record<string, unknown> = {}) {
  const document = parse(text);
  const operation = operationOf(document);
  const measure: WalkStats = { visited: 0 };
  const filter: WalkStats = { visited: 0 };
  const restore: WalkStats = { visited: 0 };
  const measured = measureOperation(schema, document, operation, variables, 10, measure);
  const filtered = filterOperation(schema, rules, document, null, filter);
  restoreDenied(schema, rules, null, document, operation, variables, { __typename: 'Query', me: null }, restore);
  return { measured, filtered, measure: measure.visited, filter: filter.visited, restore: restore.visited, size: selectionsIn(document) };
}

describe('walks over a document whose fragments double at every level', () => {
  it.each([5, 10, 20, 40])('visit each selection a bounded number of times at %i levels (2^levels if expanded)', (levels) => {
    const costs = walkCosts(doublingDocument(levels, '__typename me { id name }'));
    expect(costs.measure).toBeLessThanOrEqual(2 * costs.size);
    expect(costs.filter).toBeLessThanOrEqual(2 * costs.size);
    // One root object: the restore collects each fragment once for it, and `me` is null.
    expect(costs.restore).toBeLessThanOrEqual(costs.size);
    expect(costs.measured.rootFields).toBe(1);
  });

  it('grows linearly: twice the levels cost at most twice the visits, plus a constant', () => {
    const at20 = walkCosts(doublingDocument(20, 'me { id }'));
    const at40 = walkCosts(doublingDocument(40, 'me { id }'));
    for (const walk of ['measure', 'filter', 'restore'] as const) {
      expect(at40[walk]).toBeLessThanOrEqual(2 * at20[walk] + 10);
    }
  });

  it('still measures what the expanded document would ask: lists in a doubled fragment are counted per spread', () => {
    // 2^3 spreads of a fragment asking for 5 products: 8 × (1 + 5 + 5) before merging.
    const costs = walkCosts(doublingDocument(3, 'products(first: 5) { edges { node { id } } }'));
    expect(costs.measured.cost).toBe(8 * 11);
    expect(costs.measured.depth).toBe(4);
  });

  it('takes a denied field out of the doubled fragment once and restores it once', () => {
    const costs = walkCosts(doublingDocument(40, 'order(id: "1") { id }'));
    expect(costs.filtered.denied).toEqual(['Query.order']);
    expect(costs.filter).toBeLessThanOrEqual(2 * costs.size);
  });
});

// ---------------------------------------------------------------------------------------------
// Seeded random documents, and a naive reference measure that expands every fragment spread.

/** mulberry32: a small seeded PRNG, so a failure names a seed that reproduces it. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Fragment {
  name: string;
  type: GraphQLCompositeType;
  body: string;
}

/** A random valid query: fields with aliases and arguments, inline fragments, and a DAG of named fragments spread many times. */
function randomDocument(seed: number): string {
  const random = prng(seed);
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  let alias = 0;
  const fragments: Fragment[] = [];

  const literal = (field: GraphQLField<unknown, unknown>): string => {
    const args: string[] = [];
    for (const arg of field.args) {
      const named = getNamedType(arg.type);
      if (!isNonNullType(arg.type) && !(arg.name === 'first' && random() < 0.6)) continue;
      if (arg.name === 'first') args.push(`first: ${Math.floor(random() * 101)}`);
      else if (isScalarType(named) && named.name === 'Int') args.push(`${arg.name}: ${1 + Math.floor(random() * 9)}`);
      else if (isScalarType(named)) args.push(`${arg.name}: "${1 + Math.floor(random() * 9)}"`);
      else if (isEnumType(named)) args.push(`${arg.name}: ${named.getValues()[0]!.name}`);
      else return '';
    }
    return args.length ? `(${args.join(', ')})` : '';
  };

  const selectionSet = (type: GraphQLCompositeType, depth: number, minFragment: number): string => {
    const parts: string[] = [];
    const count = 1 + Math.floor(random() * 6);
    for (let i = 0; i < count; i++) {
      const roll = random();
      const spreadable = fragments.filter((f, index) => index >= minFragment && f.type === type);
      if (roll < 0.5 && spreadable.length > 0) {
        parts.push(`...${pick(spreadable).name}`);
        continue;
      }
      if (roll < 0.55) {
        parts.push(`... on ${type.name} { __typename }`);
        continue;
      }
      if (!isObjectType(type) && !isInterfaceType(type)) {
        parts.push('__typename');
        continue;
      }
      const field = pick(Object.values(type.getFields()));
      const args = literal(field);
      if (args === '' && field.args.some((a) => isNonNullType(a.type))) continue;
      const named = getNamedType(field.type);
      // Fields with arguments always get a fresh alias, so no two of them conflict when merged.
      const key = args || random() < 0.2 ? `a${alias++}: ` : '';
      const directive = random() < 0.1 ? ' @include(if: true)' : '';
      if (isCompositeType(named)) {
        if (depth <= 0) continue;
        parts.push(`${key}${field.name}${args}${directive} { ${selectionSet(named, depth - 1, minFragment)} }`);
      } else {
        parts.push(`${key}${field.name}${args}${directive}`);
      }
    }
    return parts.length ? parts.join(' ') : '__typename';
  };

  // Fragments are built from the last to the first, each spreading only later ones: no cycles.
  // The types most fields lead to, so that spreads of fragments on them are common.
  const composite = ['Query', 'Query', 'Query', 'Product', 'Product', 'User', 'Review', 'ProductConnection', 'Money'].map(
    (name) => schema.getType(name) as GraphQLCompositeType,
  );
  const fragmentCount = 5 + Math.floor(random() * 50);
  const types = [schema.getQueryType()!, ...Array.from({ length: fragmentCount - 1 }, () => pick(composite))];
  const built: Fragment[] = [];
  for (let i = fragmentCount - 1; i >= 0; i--) {
    const type = types[i]!;
    fragments.splice(0, fragments.length, ...built);
    // Besides its random selections, a fragment often spreads later ones on its own type two or
    // three times: the shape whose expansion grows exponentially with the chain's length.
    const sameType = built.filter((f) => f.type === type);
    const extra = sameType.length > 0 && random() < 0.9 ? Array.from({ length: 2 + Math.floor(random() * 2) }, () => `...${pick(sameType).name}`) : [];
    const body = [selectionSet(type, 3, 0), ...extra].join(' ');
    built.unshift({ name: `F${i}`, type, body });
  }
  fragments.splice(0, fragments.length, ...built);
  const query = `${selectionSet(schema.getQueryType()!, 3, 0)} ...F0`;
  const document = parse(`query Random { ${query} } ${built.map((f) => `fragment ${f.name} on ${f.type.name} { ${f.body} }`).join(' ')}`);
  // Only the fragments the operation reaches: an unused one is a validation error.
  const reached = new Set<string>();
  const fragmentsByName = fragmentsOf(document);
  const reach = (node: DocumentNode['definitions'][number]): void => {
    visit(node, {
      FragmentSpread(spread) {
        if (reached.has(spread.name.value)) return;
        reached.add(spread.name.value);
        reach(fragmentsByName.get(spread.name.value)!);
      },
    });
  };
  reach(operationOf(document));
  return print({ ...document, definitions: document.definitions.filter((d) => d.kind !== Kind.FRAGMENT_DEFINITION || reached.has(d.name.value)) });
}

class TooBig extends Error {}

/**
 * The measure as the document reads when every spread is written out in full: exponential, so it
 * gives up past a budget. It states the cost model independently of the router's linear walk.
 */
function naiveMeasure(document: DocumentNode, listSize: number, budget = 200_000) {
  const fragments = fragmentsOf(document);
  let steps = 0;
  const rootKeys = new Set<string>();
  const slice = (field: FieldNode, definition: GraphQLField<unknown, unknown>): number | undefined => {
    for (const name of ['first', 'last']) {
      const argDef = definition.args.find((a) => a.name === name);
      if (!argDef) continue;
      const node = field.arguments?.find((a) => a.name.value === name);
      const value = node?.value.kind === Kind.INT ? Number(node.value.value) : argDef.defaultValue;
      if (typeof value === 'number') return value;
    }
    return undefined;
  };
  const walk = (set: SelectionSetNode, parent: GraphQLNamedType | undefined, connection: number | undefined, atRoot: boolean) => {
    const totals = { depth: 0, aliases: 0, directives: 0, cost: 0 };
    for (const selection of set.selections) {
      if (++steps > budget) throw new TooBig();
      totals.directives += selection.directives?.length ?? 0;
      let child = { depth: 0, aliases: 0, directives: 0, cost: 0 };
      if (selection.kind === Kind.FIELD) {
        if (atRoot && selection.name.value !== '__typename') rootKeys.add(selection.alias?.value ?? selection.name.value);
        if (selection.alias) totals.aliases += 1;
        const definition = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
        if (!definition || !selection.selectionSet) {
          totals.depth = Math.max(totals.depth, 1);
          continue;
        }
        const size = slice(selection, definition);
        const isList = isListType(getNullableType(definition.type));
        const inner = walk(selection.selectionSet, getNamedType(definition.type), isList ? undefined : size, false);
        const count = isList ? (size ?? connection ?? listSize) : 1;
        child = { ...inner, depth: inner.depth + 1, cost: count * (1 + inner.cost) };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        child = walk(selection.selectionSet, type ?? parent, connection, atRoot);
      } else {
        const fragment = fragments.get(selection.name.value)!;
        child = walk(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) ?? undefined, connection, atRoot);
        child.directives += fragment.directives?.length ?? 0;
      }
      totals.depth = Math.max(totals.depth, child.depth);
      totals.aliases += child.aliases;
      totals.directives += child.directives;
      totals.cost += child.cost;
    }
    return totals;
  };
  const totals = walk(operationOf(document).selectionSet, schema.getQueryType()!, undefined, true);
  return { ...totals, rootFields: rootKeys.size, steps };
}

describe('seeded random documents within the token limit', () => {
  const SEEDS = Array.from({ length: 300 }, (_, i) => 1000 + i);

  it('are valid, and every walk over them is linear in their size', () => {
    let compared = 0;
    let tooBig = 0;
    let largest = 0;
    for (const seed of SEEDS) {
      const text = randomDocument(seed);
      const document = parse(text);
      expect({ seed, errors: validate(schema, document).map((e) => e.message) }).toEqual({ seed, errors: [] });
      if (countTokens(text, TOKEN_LIMIT) > TOKEN_LIMIT) continue;
      const costs = walkCosts(text);
      largest = Math.max(largest, costs.size);
      expect({ seed, measure: costs.measure <= 2 * costs.size, filter: costs.filter <= 2 * costs.size, restore: costs.restore <= costs.size }).toEqual({
        seed,
        measure: true,
        filter: true,
        restore: true,
      });
      // Where writing every spread out stays small, the linear measure equals the naive one.
      try {
        const naive = naiveMeasure(document, 10);
        const { depth, aliases, directives, cost, rootFields } = costs.measured;
        const { steps: _steps, ...expected } = naive;
        expect({ seed, depth, aliases, directives, cost, rootFields }).toEqual({ seed, ...expected });
        compared += 1;
      } catch (error) {
        if (!(error instanceof TooBig)) throw error;
        tooBig += 1;
      }
    }
    // The generator must exercise both sides: many documents compared, and some that only a linear walk can measure.
    expect(compared).toBeGreaterThan(SEEDS.length / 3);
    expect(tooBig).toBeGreaterThanOrEqual(SEEDS.length / 20);
    expect(largest).toBeGreaterThan(100);
  });
});
