import { isAbstractType, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';

/** How a path of the planner's rewrites spells a type condition: `... on T`. */
export const FRAGMENT_PREFIX = '... on ';

/**
 * `isObjectOfType` of the stock gateway: the object's `__typename` is the condition or one of its
 * subtypes in the supergraph; an object without one counts as `whenUnknown`.
 */
export function typeTester(schema: GraphQLSchema, condition: string, whenUnknown: boolean): (object: Record<string, unknown>) => boolean {
  const conditionType = schema.getType(condition);
  const matches = new Map<string, boolean>();
  return (object) => {
    const typename = object.__typename;
    if (!typename) return whenUnknown;
    if (typename === condition) return true;
    if (typeof typename !== 'string') return false;
    let match = matches.get(typename);
    if (match === undefined) {
      const type = schema.getType(typename);
      match = !!type && !!conditionType && isAbstractType(conditionType) && (isObjectType(type) || isInterfaceType(type)) && schema.isSubType(conditionType, type);
      matches.set(typename, match);
    }
    return match;
  };
}
