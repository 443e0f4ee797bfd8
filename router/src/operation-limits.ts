import { HttpError } from '@storefront/kit';
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  Lexer,
  Source,
  TokenKind,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** The limits an operation must stay within; 0 turns a limit off. */
export interface OperationLimits {
  depth: number;
  aliases: number;
  rootFields: number;
  directives: number;
  tokens: number;
  cost: number;
  /** The size assumed for a list without a `first`/`last` argument. */
  listSize: number;
}

/** What an operation measures, fragments counted wherever they are spread. */
export interface OperationMeasure {
  depth: number;
  aliases: number;
  rootFields: number;
  directives: number;
  cost: number;
}

/**
 * Every limit is refused with this code (HTTP 400): like a schema validation error, the operation
 * is wrong as written and no retry will help; BAD_USER_INPUT is left for bad values.
 */
export const LIMIT_ERROR_CODE = 'GRAPHQL_VALIDATION_FAILED';

/** Counts lexical tokens up to `max + 1`, so a huge document costs no more than the limit to refuse. */
export function countTokens(text: string, max: number): number {
  const lexer = new Lexer(new Source(text));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) {
      count += 1;
      if (count > max) break;
    }
  } catch {
    // A lexical error is the parser's to report, with its location.
  }
  return count;
}

/**
 * The token limit, checked on the raw text before Apollo Server parses it. The last `remember`
 * texts (of at most 16 KB) counted within the limit are kept, so a client's usual operations are
 * lexed once rather than on every request; any other text is counted, and one over the limit is
 * never kept (refused every time).
 */
export function tokenLimit(max: number, remember = 256) {
  const within = new Set<string>();
  return (text: string | undefined): void => {
    if (!max || text === undefined) return;
    if (within.delete(text)) {
      within.add(text);
      return;
    }
    const count = countTokens(text, max);
    if (count > max) {
      throw new HttpError(400, `The operation has more than ${max} tokens, the most this router accepts.`, LIMIT_ERROR_CODE);
    }
    if (remember <= 0 || text.length > 16_384) return;
    if (within.size >= remember) within.delete(within.values().next().value as string);
    within.add(text);
  };
}

/**
 * Counts the work of a walk over a document, so a test can prove the walk is linear in the
 * document's size (a nested fragment spread twice per level must not cost 2^levels).
 */
export interface WalkStats {
  /** Selections (fields, inline fragments, spreads) the walk looked at. */
  visited: number;
}

/**
 * What one selection set measures. The cost of the lists in it that have no slicing argument of
 * their own depends on the connection they sit in, so it is kept apart (`perItem`, the cost of one
 * item of each such list) and priced where the size is known: that is what lets each fragment be
 * measured once, whatever it is spread under.
 */
interface Totals {
  depth: number;
  aliases: number;
  directives: number;
  cost: number;
  perItem: number;
}

const SLICING_ARGUMENTS = ['first', 'last'];

/**
 * Measures one operation. Cost model: every object a field may return costs 1; a list field returns
 * as many as its `first`/`last` argument (a literal, a variable's value, or the argument's default),
 * the `edges`/`nodes` of a connection as many as the connection's `first`, and any other list
 * `listSize`; scalars cost nothing. Introspection fields (`__schema`, `__type`) are not counted:
 * they are answered by the router itself and disabled in production. `@skip`/`@include` are
 * ignored, so the measure is an upper bound.
 *
 * The walk is linear in the document: each selection set, and so each fragment, is measured once.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  listSize: number,
  stats: WalkStats = { visited: 0 },
): OperationMeasure {
  const fragments = fragmentsOf(document);
  const memo = new Map<string, Totals>();
  const inProgress = new Set<string>();

  const sizeArgument = (field: FieldNode, definition: GraphQLField<unknown, unknown>): number | undefined => {
    for (const name of SLICING_ARGUMENTS) {
      const argDef = definition.args.find((a) => a.name === name);
      if (!argDef) continue;
      const node = field.arguments?.find((a) => a.name.value === name);
      let value: unknown = argDef.defaultValue;
      if (node) {
        if (node.value.kind === Kind.VARIABLE) {
          const variable = node.value.name.value;
          const definitionNode = operation.variableDefinitions?.find((v) => v.variable.name.value === variable);
          value = variables?.[variable] ?? (definitionNode?.defaultValue ? valueFromAST(definitionNode.defaultValue, argDef.type) : argDef.defaultValue);
        } else {
          value = valueFromAST(node.value, argDef.type);
        }
      }
      if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
    }
    return undefined;
  };

  /** The cost of a selection set once the size of its unsliced lists is known. */
  const priced = (totals: Totals, connectionSize: number | undefined): number => totals.cost + (connectionSize ?? listSize) * totals.perItem;

  const measureSet = (selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined): Totals => {
    const totals: Totals = { depth: 0, aliases: 0, directives: 0, cost: 0, perItem: 0 };
    for (const selection of selectionSet.selections) {
      stats.visited += 1;
      totals.directives += selection.directives?.length ?? 0;
      let child: Totals;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name.startsWith('__') && name !== '__typename') continue;
        if (selection.alias) totals.aliases += 1;
        const definition = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
        if (!definition || !selection.selectionSet) {
          totals.depth = Math.max(totals.depth, 1);
          continue;
        }
        const returned = getNamedType(definition.type);
        const slice = sizeArgument(selection, definition);
        const isList = isListType(getNullableType(definition.type));
        const inner = measureSet(selection.selectionSet, returned);
        // Aliases and directives count as written (once per fragment spread), not per list item.
        child = { depth: inner.depth + 1, aliases: inner.aliases, directives: inner.directives, cost: 0, perItem: 0 };
        if (isCompositeType(returned)) {
          // A list's items are sized by its own argument, else by the connection around it; the
          // `edges` of a connection are sized by the connection's `first`.
          const itemCost = 1 + priced(inner, isList ? undefined : slice);
          if (!isList) child.cost = itemCost;
          else if (slice !== undefined) child.cost = slice * itemCost;
          else child.perItem = itemCost;
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        child = measureSet(selection.selectionSet, type ?? parent);
      } else {
        child = measureFragment(selection.name.value);
      }
      totals.depth = Math.max(totals.depth, child.depth);
      totals.aliases += child.aliases;
      totals.directives += child.directives;
      totals.cost += child.cost;
      totals.perItem += child.perItem;
    }
    return totals;
  };

  const measureFragment = (name: string): Totals => {
    const known = memo.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    const none: Totals = { depth: 0, aliases: 0, directives: 0, cost: 0, perItem: 0 };
    // A cycle is refused by validation before we get here; count it as nothing rather than recurse.
    if (!fragment || inProgress.has(name)) return none;
    inProgress.add(name);
    const totals = measureSet(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) ?? undefined);
    totals.directives += fragment.directives?.length ?? 0;
    inProgress.delete(name);
    memo.set(name, totals);
    return totals;
  };

  const root = schema.getRootType(operation.operation) ?? undefined;
  const totals = measureSet(operation.selectionSet, root);
  return {
    depth: totals.depth,
    aliases: totals.aliases,
    rootFields: rootResponseKeys(operation.selectionSet, fragments, stats).size,
    directives: totals.directives + (operation.directives?.length ?? 0),
    cost: priced(totals, undefined),
  };
}

/** The fragment definitions of a document, by name. */
export function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/**
 * The response keys at the root, through fragments: fields with the same key merge into one, so
 * this is what the root-field limit counts. Each fragment is looked at once, however often spread.
 */
function rootResponseKeys(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, stats: WalkStats): Set<string> {
  const keys = new Set<string>();
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode): void => {
    for (const selection of set.selections) {
      stats.visited += 1;
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value !== '__typename') keys.add(selection.alias?.value ?? selection.name.value);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment && !seen.has(fragment.name.value)) {
          seen.add(fragment.name.value);
          walk(fragment.selectionSet);
        }
      }
    }
  };
  walk(selectionSet);
  return keys;
}

const LABELS: Record<keyof OperationMeasure, string> = {
  depth: 'depth',
  aliases: 'number of aliases',
  rootFields: 'number of root fields',
  directives: 'number of directives',
  cost: 'estimated cost',
};

/** The first limit the measure exceeds, as the error the client gets; undefined when within all. */
export function limitError(measure: OperationMeasure, limits: OperationLimits): GraphQLError | undefined {
  for (const limit of ['depth', 'aliases', 'rootFields', 'directives', 'cost'] as const) {
    const max = limits[limit];
    if (max > 0 && measure[limit] > max) {
      return new GraphQLError(`The operation's ${LABELS[limit]} is ${measure[limit]}, over this router's limit of ${max}.`, {
        extensions: { code: LIMIT_ERROR_CODE, limit, max, actual: measure[limit], http: { status: 400 } },
      });
    }
  }
  return undefined;
}
