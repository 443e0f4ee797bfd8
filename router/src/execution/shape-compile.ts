import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isEnumType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  valueFromASTUntyped,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * The client's operation compiled once per plan into the steps that shape the merged subgraph
 * answers into the response: which keys, in which order, under which type conditions, with what
 * type (non-null, list, leaf check) — so shaping a response walks plain arrays of steps and never
 * the schema or the AST.
 */

/** `@skip`/`@include` on a selection: a literal is resolved at compile time, a variable per request. */
export interface Inclusion {
  variable: string;
  /** `@include(if: $v)` keeps the selection when $v is true; `@skip(if: $v)` when it is false. */
  keepWhen: boolean;
}

/** How a value of a field's type is completed. */
export type TypeShape =
  | { kind: 'nonNull'; inner: TypeShape; printed: string }
  | { kind: 'list'; inner: TypeShape; printed: string }
  | { kind: 'composite'; name: string; printed: string }
  | { kind: 'leaf'; valid: (value: unknown) => boolean; printed: string };

export interface FieldStep {
  kind: 'field';
  responseName: string;
  inclusions?: Inclusion[];
  type: TypeShape;
  /** The selections below a composite field. */
  steps?: Step[];
}

export interface TypenameStep {
  kind: 'typename';
  responseName: string;
  inclusions?: Inclusion[];
}

/** `__schema` or `__type`: answered by graphql-js from the API schema, not by a subgraph. */
export interface IntrospectionStep {
  kind: 'introspection';
  responseName: string;
  inclusions?: Inclusion[];
  document: DocumentNode;
}

export interface FragmentStep {
  kind: 'fragment';
  inclusions?: Inclusion[];
  /**
   * The named fragment a spread applies. Its steps are compiled once and shared by every spread
   * of it, and applied once per object: applying them again to the same object changes nothing,
   * and a document that spreads fragments in a doubling pattern would otherwise cost 2^levels.
   */
  spread?: string;
  /** The type condition, or undefined for a fragment without one. */
  typeCondition?: string;
  /** Every type name that is the condition or one of its subtypes: where the fragment applies. */
  appliesTo?: ReadonlySet<string>;
  steps: Step[];
}

export type Step = FieldStep | TypenameStep | IntrospectionStep | FragmentStep;

export interface ShapeProgram {
  rootType: string;
  steps: Step[];
  /** Names of the object types of the API schema (what `__typename` may answer). */
  objectTypes: ReadonlySet<string>;
  /** Names of its object, interface and union types (what a subgraph's `__typename` may name). */
  compositeTypes: ReadonlySet<string>;
  /** Default values of the operation's variables, under the values a request sends. */
  variableDefaults: Record<string, unknown>;
  /** True when some selection depends on a variable's value. */
  conditional: boolean;
}

const INT = /^[+-]?\d+$/;

/** What the stock gateway's result shaping accepts for a leaf of this type (`isValidLeafValue`). */
function leafCheck(type: GraphQLNamedType): (value: unknown) => boolean {
  if (isEnumType(type)) {
    const values = new Set(type.getValues().map((v) => v.name));
    return (value) => typeof value === 'string' && values.has(value);
  }
  switch (type.name) {
    case 'Boolean':
      return (value) => typeof value === 'boolean';
    case 'Int':
    case 'ID':
      return (value) => (typeof value === 'number' && Number.isFinite(value) ? INT.test(String(value)) : type.name === 'ID' && typeof value === 'string');
    case 'Float':
      return (value) => typeof value === 'number' && Number.isFinite(value);
    case 'String':
      return (value) => typeof value === 'string';
    default:
      // A custom scalar: its subgraph is the authority on its values.
      return () => true;
  }
}

export function compileShape(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): ShapeProgram {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const objectTypes = new Set<string>();
  const compositeTypes = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (isObjectType(type)) objectTypes.add(type.name);
    if (isCompositeType(type)) compositeTypes.add(type.name);
  }
  const typeShapes = new Map<GraphQLOutputType, TypeShape>();
  const subtypes = new Map<string, ReadonlySet<string>>();
  let conditional = false;
  const compiledFragments = new Map<string, Step[]>();

  const shapeOf = (type: GraphQLOutputType): TypeShape => {
    let shape = typeShapes.get(type);
    if (shape) return shape;
    const printed = String(type);
    if (isNonNullType(type)) shape = { kind: 'nonNull', inner: shapeOf(type.ofType), printed };
    else if (isListType(type)) shape = { kind: 'list', inner: shapeOf(type.ofType as GraphQLOutputType), printed };
    else if (isCompositeType(type)) shape = { kind: 'composite', name: type.name, printed };
    else shape = { kind: 'leaf', valid: leafCheck(type), printed };
    typeShapes.set(type, shape);
    return shape;
  };

  // isSubtype(condition, T) for every T of the schema, as the stock shaping decides it.
  const appliesTo = (condition: string): ReadonlySet<string> => {
    let set = subtypes.get(condition);
    if (set) return set;
    const conditionType = schema.getType(condition);
    const names = new Set<string>([condition]);
    if (conditionType && isAbstractType(conditionType)) {
      for (const type of Object.values(schema.getTypeMap())) {
        if ((isObjectType(type) || isAbstractType(type)) && type !== conditionType && schema.isSubType(conditionType, type as never)) names.add(type.name);
      }
    }
    set = names;
    subtypes.set(condition, set);
    return set;
  };

  const inclusionsOf = (directives: readonly DirectiveNode[] | undefined): Inclusion[] | undefined | 'never' => {
    if (!directives || directives.length === 0) return undefined;
    const result: Inclusion[] = [];
    for (const directive of directives) {
      const name = directive.name.value;
      if (name !== 'skip' && name !== 'include') continue;
      const arg = directive.arguments?.find((a) => a.name.value === 'if');
      if (!arg) continue;
      const keepWhen = name === 'include';
      if (arg.value.kind === Kind.VARIABLE) {
        conditional = true;
        result.push({ variable: arg.value.name.value, keepWhen });
      } else if (arg.value.kind === Kind.BOOLEAN && arg.value.value !== keepWhen) {
        return 'never';
      }
    }
    return result.length > 0 ? result : undefined;
  };

  const introspectionDocument = (field: FieldNode): DocumentNode => ({
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation: operation.operation,
        variableDefinitions: operation.variableDefinitions,
        selectionSet: { kind: Kind.SELECTION_SET, selections: [{ ...field, alias: undefined, directives: [] }] },
      },
      ...fragments.values(),
    ],
  });

  const compileSet = (parent: GraphQLNamedType, set: SelectionSetNode): Step[] => {
    const steps: Step[] = [];
    for (const selection of set.selections) {
      const inclusions = inclusionsOf(selection.directives);
      if (inclusions === 'never') continue;
      if (selection.kind === Kind.FIELD) {
        const responseName = selection.alias?.value ?? selection.name.value;
        const name = selection.name.value;
        if (name === '__typename') {
          steps.push({ kind: 'typename', responseName, inclusions });
        } else if (name === '__schema' || name === '__type') {
          steps.push({ kind: 'introspection', responseName, inclusions, document: introspectionDocument(selection) });
        } else {
          const definition = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
          if (!definition) throw new Error(`Cannot query field "${name}" on type "${parent.name}".`);
          const named = getNamedType(definition.type);
          steps.push({
            kind: 'field',
            responseName,
            inclusions,
            type: shapeOf(definition.type),
            steps: selection.selectionSet && isCompositeType(named) ? compileSet(named, selection.selectionSet) : undefined,
          });
        }
      } else {
        const spread = selection.kind === Kind.FRAGMENT_SPREAD ? selection.name.value : undefined;
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
        if (!fragment) throw new Error(`Unknown fragment "${spread}".`);
        const typeCondition = fragment.typeCondition?.name.value;
        const conditionType = typeCondition ? schema.getType(typeCondition) : parent;
        if (!conditionType) throw new Error(`Unknown type "${typeCondition}".`);
        let fragmentSteps = spread === undefined ? undefined : compiledFragments.get(spread);
        if (!fragmentSteps) {
          fragmentSteps = compileSet(conditionType, fragment.selectionSet);
          if (spread !== undefined) compiledFragments.set(spread, fragmentSteps);
        }
        steps.push({
          kind: 'fragment',
          inclusions,
          spread,
          typeCondition,
          appliesTo: typeCondition ? appliesTo(typeCondition) : undefined,
          steps: fragmentSteps,
        });
      }
    }
    return steps;
  };

  const root = schema.getRootType(operation.operation);
  if (!root) throw new Error(`The schema has no ${operation.operation} type.`);
  const variableDefaults: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) variableDefaults[definition.variable.name.value] = valueFromASTUntyped(definition.defaultValue);
  }
  const steps = compileSet(root, operation.selectionSet);
  return { rootType: root.name, steps, objectTypes, compositeTypes, variableDefaults, conditional };
}
