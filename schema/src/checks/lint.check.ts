import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedScalarType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import type { SubgraphSource } from '../config';
import type { CheckResult, Finding } from '../report/report';
import { statusOf } from '../report/report';
import { locate, type SourceIndex } from '../source-index';
import { entityKeyFindings } from './entity-keys';

const PASCAL_CASE = /^[A-Z][A-Za-z0-9]*$/;
const CAMEL_CASE = /^[a-z][A-Za-z0-9]*$/;
const UPPER_CASE = /^[A-Z][A-Z0-9_]*$/;

type Element = { coordinate: string; description?: string | null; kind: 'type' | 'field' | 'argument' | 'enum value' | 'input field' };

function rootTypeNames(schema: GraphQLSchema): Set<string> {
  return new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((t) => (t ? [t.name] : [])));
}

/** The public elements a client can see, with their descriptions. */
function elementsOf(type: GraphQLNamedType): Element[] {
  const elements: Element[] = [{ coordinate: type.name, description: type.description, kind: 'type' }];
  if (isObjectType(type) || isInterfaceType(type)) {
    for (const field of Object.values(type.getFields())) {
      elements.push({ coordinate: `${type.name}.${field.name}`, description: field.description, kind: 'field' });
      for (const arg of field.args) elements.push({ coordinate: `${type.name}.${field.name}.${arg.name}`, description: arg.description, kind: 'argument' });
    }
  } else if (isInputObjectType(type)) {
    for (const field of Object.values(type.getFields())) elements.push({ coordinate: `${type.name}.${field.name}`, description: field.description, kind: 'input field' });
  } else if (isEnumType(type)) {
    for (const value of type.getValues()) elements.push({ coordinate: `${type.name}.${value.name}`, description: value.description, kind: 'enum value' });
  }
  return elements;
}

const CONVENTIONS: Record<Element['kind'], { pattern: RegExp; name: string }> = {
  type: { pattern: PASCAL_CASE, name: 'PascalCase' },
  field: { pattern: CAMEL_CASE, name: 'camelCase' },
  argument: { pattern: CAMEL_CASE, name: 'camelCase' },
  'input field': { pattern: CAMEL_CASE, name: 'camelCase' },
  'enum value': { pattern: UPPER_CASE, name: 'UPPER_CASE' },
};

function lintElement(element: Element, isRoot: boolean, index: SourceIndex): Finding[] {
  const findings: Finding[] = [];
  const at = () => index.get(element.coordinate) ?? locate(index, element.coordinate);
  const name = element.coordinate.split('.').pop()!;
  const convention = CONVENTIONS[element.kind];
  if (!convention.pattern.test(name)) {
    findings.push({ severity: 'error', code: 'NAMING_CONVENTION', message: `${element.kind} ${element.coordinate} should be ${convention.name}`, coordinate: element.coordinate, locations: at(), fix: `Rename it to ${convention.name} (a breaking change once published: add the new name and deprecate the old).` });
  }
  // Root types are containers: Sandbox shows their fields' descriptions, not theirs. Arguments are
  // described by their field's description here, so they are not required to carry one.
  const needsDescription = element.kind !== 'argument' && !(element.kind === 'type' && isRoot);
  if (needsDescription && !element.description?.trim()) {
    findings.push({ severity: 'error', code: 'MISSING_DESCRIPTION', message: `${element.kind} ${element.coordinate} has no description`, coordinate: element.coordinate, locations: at(), fix: 'Add a "description" string above it in the SDL; clients read it in Sandbox.' });
  }
  return findings;
}

/** Descriptions and naming conventions on the public API, and resolvable keys on every entity. */
export function lintCheck(api: GraphQLSchema, sources: readonly SubgraphSource[], index: SourceIndex): CheckResult {
  const roots = rootTypeNames(api);
  const types = Object.values(api.getTypeMap()).filter((t) => !isIntrospectionType(t) && !isSpecifiedScalarType(t));
  const findings = [...types.flatMap((t) => elementsOf(t).flatMap((e) => lintElement(e, roots.has(t.name), index))), ...entityKeyFindings(sources)];
  const summary = findings.length === 0 ? `${types.length} types described and named by convention; every entity resolvable by its owner` : `${findings.length} problem(s)`;
  return { id: 'lint', title: 'Schema lint', status: statusOf(findings), summary, findings };
}
