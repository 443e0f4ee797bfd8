import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  Kind,
  TypeInfo,
  typeFromAST,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { OperationFile } from '../operations';
import type { OperationRef } from '../report/report';

/** The schema coordinates one operation touches. */
export interface OperationUsage {
  operation: OperationRef;
  coordinates: Set<string>;
}

/**
 * Marks a type as used. An input object or enum counts whole: values arrive through variables, so
 * every input field and enum value may be sent (or received) though the operation never spells it out.
 */
function addWhole(type: GraphQLNamedType, into: Set<string>, seen = new Set<string>()): void {
  if (seen.has(type.name)) return;
  seen.add(type.name);
  into.add(type.name);
  if (isEnumType(type)) {
    for (const value of type.getValues()) into.add(`${type.name}.${value.name}`);
  } else if (isInputObjectType(type)) {
    for (const field of Object.values(type.getFields())) {
      into.add(`${type.name}.${field.name}`);
      addWhole(getNamedType(field.type), into, seen);
    }
  }
}

/** Walks an operation (and the fragments it spreads) against a schema, collecting what it uses. */
function collect(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, into: Set<string>): void {
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const typeInfo = new TypeInfo(schema);
  const visited = new Set<string>();
  const walk = (node: OperationDefinitionNode | FragmentDefinitionNode): void => {
    visit(
      node,
      visitWithTypeInfo(typeInfo, {
        VariableDefinition(def) {
          const type = typeFromAST(schema, def.type);
          if (type) addWhole(getNamedType(type), into);
        },
        Field(field) {
          const parent = typeInfo.getParentType();
          if (!parent) return;
          into.add(parent.name);
          into.add(`${parent.name}.${field.name.value}`);
          const type = typeInfo.getType();
          if (type) addWhole(getNamedType(type), into);
          const def = typeInfo.getFieldDef();
          for (const arg of field.arguments ?? []) {
            into.add(`${parent.name}.${field.name.value}.${arg.name.value}`);
            const argDef = def?.args.find((a) => a.name === arg.name.value);
            if (argDef) addWhole(getNamedType(argDef.type), into);
          }
        },
        InlineFragment(fragment) {
          if (fragment.typeCondition) into.add(fragment.typeCondition.name.value);
        },
        Directive(directive) {
          into.add(`@${directive.name.value}`);
        },
        FragmentSpread(spread) {
          const fragment = fragments.get(spread.name.value);
          if (!fragment || visited.has(fragment.name.value)) return;
          visited.add(fragment.name.value);
          into.add(fragment.typeCondition.name.value);
          walk(fragment);
        },
      }),
    );
  };
  walk(operation);
}

/**
 * What each operation uses, read against every schema given (the baseline and the new one), so a
 * field that exists in only one of them still counts.
 */
export function operationUsage(files: readonly OperationFile[], schemas: readonly GraphQLSchema[]): OperationUsage[] {
  return files.flatMap((file) =>
    file.document.definitions.flatMap((def): OperationUsage[] => {
      if (def.kind !== Kind.OPERATION_DEFINITION) return [];
      const operation = file.operations.find((op) => op.line === def.loc?.startToken.line) ?? file.operations[0]!;
      const coordinates = new Set<string>();
      for (const schema of schemas) collect(schema, file.document, def, coordinates);
      return [{ operation, coordinates }];
    }),
  );
}
