import { ERRORS, errorCodeDef } from '@apollo/federation-internals';
import type { GraphQLDataSource } from '@apollo/gateway';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { GraphQLError, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import type { CompiledFetch } from './fetch-compile';
import type { ContextArguments } from './fetch-context';
import { mergeInto } from './merge';

/** Where a node runs: the path in the response (with `@` for lists), the objects there, the whole tree. */
export interface Cursor {
  path: ReadonlyArray<string | number>;
  data: unknown;
  fullResult: Record<string, unknown>;
}

/** The state of one request's run of a plan. */
export interface FetchRun {
  requestContext: GatewayGraphQLRequestContext;
  services: Readonly<Record<string, GraphQLDataSource>>;
  errors: GraphQLError[];
}

/** Every concrete path the cursor's path stands for in the data so far (the stock `generateHydratedPaths`). */
function hydratedPaths(parent: (string | number)[], path: ReadonlyArray<string | number>, depth: number, data: unknown, out: (string | number)[][]): void {
  if (data === null || data === undefined) return;
  if (depth === path.length) {
    out.push(parent.slice());
    return;
  }
  const head = path[depth];
  if (head === '@' || Array.isArray(data)) {
    if (!Array.isArray(data)) return;
    data.forEach((value, i) => {
      parent.push(i);
      hydratedPaths(parent, path, head === '@' ? depth + 1 : depth, value, out);
      parent.pop();
    });
    return;
  }
  const object = data as Record<string, unknown>;
  if (typeof head === 'string' && Object.prototype.hasOwnProperty.call(object, head)) {
    parent.push(head);
    hydratedPaths(parent, path, depth + 1, object[head], out);
    parent.pop();
  }
}

/**
 * A subgraph's error as the client sees it: the path rewritten from the subgraph's operation to
 * the client's (an `_entities` index becomes the entity's place in the response), `serviceName`
 * added, the code kept, or DOWNSTREAM_SERVICE_ERROR when it has none.
 */
function downstreamErrors(
  fetch: CompiledFetch,
  cursor: Cursor,
  errors: readonly GraphQLFormattedError[],
  entityOf: readonly number[] | undefined,
): GraphQLError[] {
  let hydrated: (string | number)[][] | undefined;
  const pathOf = (path: ReadonlyArray<string | number> | undefined): (string | number)[] | undefined => {
    if (fetch.representation && typeof path?.[1] === 'number') {
      if (!hydrated) {
        hydrated = [];
        hydratedPaths([], cursor.path, 0, cursor.fullResult, hydrated);
      }
      // By the entity the representation was made of: entities without one (another type at the
      // same path) have no representation. (The stock executor indexes by representation here,
      // and so names the wrong entity when some had none.)
      const entity = entityOf ? entityOf[path[1]] : path[1];
      return [...((entity !== undefined ? hydrated[entity] : undefined) ?? []), ...path.slice(2)];
    }
    return path ? [...cursor.path, ...path] : undefined;
  };
  return errors.map((error) => {
    const message = error.message || `Error while fetching subquery from service "${fetch.serviceName}"`;
    const options = {
      originalError: error as unknown as Error,
      path: pathOf(error.path),
      extensions: { ...error.extensions, serviceName: fetch.serviceName },
    };
    const codeDef = errorCodeDef(error as unknown as GraphQLError);
    if (!codeDef && error.extensions?.code) return new GraphQLError(message, options);
    return (codeDef ?? ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, options);
  });
}

/** The request's variables this fetch uses, as the client sent them. */
function fetchVariables(fetch: CompiledFetch, provided: Record<string, unknown> | undefined): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  if (!provided) return variables;
  for (const name of fetch.variableUsages) {
    if (Object.prototype.hasOwnProperty.call(provided, name) && provided[name] !== undefined) variables[name] = provided[name];
  }
  return variables;
}

/** The concrete path in the response of each entity at the cursor, in the order of `cursor.data`. */
function entityPaths(cursor: Cursor): (string | number)[][] {
  const paths: (string | number)[][] = [];
  hydratedPaths([], cursor.path, 0, cursor.fullResult, paths);
  return paths;
}

/** Merges a subgraph's `_entities` answer into the entities the representations were made of. */
function mergeEntities(fetch: CompiledFetch, received: unknown, owners: readonly Record<string, unknown>[]): void {
  if (!Array.isArray(received)) throw new Error('Expected "data._entities" in response to be an array');
  if (received.length !== owners.length) throw new Error(`Expected "data._entities" to contain ${owners.length} elements`);
  for (let i = 0; i < received.length; i += 1) {
    const entity = received[i] as Record<string, unknown> | null;
    const owner = owners[i]!;
    // An `@interfaceObject` subgraph knows the entity only as its interface, and names that as its
    // `__typename`; the concrete type the owner already holds must stand, or fragments on it would
    // no longer apply. (The stock executor lets the interface overwrite it, and drops those fields.)
    if (entity && (!entity.__typename || (owner.__typename && entity.__typename !== owner.__typename && typeof entity.__typename === 'string' && fetch.isAbstract(entity.__typename)))) {
      entity.__typename = owner.__typename;
    }
    fetch.rewriteOutput?.(entity);
    mergeInto(owner, entity);
  }
}

interface Sent {
  variables: Record<string, unknown>;
  /** For each representation sent, the index of its entity at the cursor. */
  entityOf?: number[];
  /** Another text than the fetch's own (entities in groups by their contextual arguments). */
  operation?: { query: string; document: DocumentNode };
  /** The error path of an entity as `['_entities', index, …]`, when the answer is in groups. */
  errorPath?: (path: ReadonlyArray<string | number>) => ReadonlyArray<string | number>;
}

/** Runs one fetch at the cursor and merges its answer into the entities there. */
export async function runFetch(run: FetchRun, fetch: CompiledFetch, cursor: Cursor): Promise<void> {
  const service = run.services[fetch.serviceName];
  if (!service) throw new Error(`Couldn't find service with name "${fetch.serviceName}"`);
  const entities: Record<string, unknown>[] = [];
  if (Array.isArray(cursor.data)) {
    for (const item of cursor.data) if (item !== null && item !== undefined) entities.push(item as Record<string, unknown>);
  } else {
    entities.push(cursor.data as Record<string, unknown>);
  }
  if (entities.length === 0) return;
  const variables = fetchVariables(fetch, run.requestContext.request.variables);
  // A contextual argument's value comes from the response, never from the client's variables.
  if (fetch.context) for (const name of fetch.context.names) delete variables[name];

  const send = async (sent: Sent): Promise<Record<string, unknown> | null | undefined> => {
    const response = await service.process({
      // The gateway's `GraphQLDataSourceRequestKind.INCOMING_OPERATION` (the enum is not exported).
      kind: 'incoming operation',
      request: { query: sent.operation?.query ?? fetch.operation, variables: sent.variables, operationName: fetch.operationName },
      incomingRequestContext: run.requestContext,
      context: run.requestContext.context,
      document: sent.operation?.document ?? fetch.node.operationDocumentNode,
      pathInIncomingRequest: cursor.path as never,
    } as never);
    if (response.errors) {
      const { errorPath } = sent;
      const errors = errorPath ? response.errors.map((error) => (error.path ? { ...error, path: errorPath(error.path) } : error)) : response.errors;
      run.errors.push(...downstreamErrors(fetch, cursor, errors, sent.entityOf));
    }
    return response.data as Record<string, unknown> | null | undefined;
  };

  if (!fetch.representation) {
    if (fetch.context) Object.assign(variables, fetch.context.valuesAt(cursor.fullResult, entityPaths(cursor)[0] ?? []));
    const answer = await send({ variables });
    if (answer) fetch.rewriteOutput?.(answer);
    for (const entity of entities) mergeInto(entity, answer);
    return;
  }
  const representations: Record<string, unknown>[] = [];
  const owners: Record<string, unknown>[] = [];
  const entityOf: number[] = [];
  entities.forEach((entity, index) => {
    const representation = fetch.representation!(entity);
    if (representation && representation.__typename) {
      fetch.rewriteInput?.(representation);
      representations.push(representation);
      owners.push(entity);
      entityOf.push(index);
    }
  });
  if (representations.length === 0) return;
  if ('representations' in variables) throw new Error('Variables cannot contain key "representations"');
  if (fetch.context) {
    const groups = contextGroups(fetch.context, cursor, entityOf);
    if (groups.length > 1) return sendInGroups(fetch, fetch.context, groups, { variables, representations, owners, entityOf }, send);
    Object.assign(variables, groups[0]!.values);
  }
  variables.representations = representations;
  const answer = await send({ variables, entityOf });
  if (answer) mergeEntities(fetch, answer._entities, owners);
}

interface Group {
  values: Record<string, unknown>;
  /** Indexes into the representations. */
  members: number[];
}

/** The representations grouped by the values of their contextual arguments, in order of first appearance. */
function contextGroups(context: ContextArguments, cursor: Cursor, entityOf: readonly number[]): Group[] {
  const paths = entityPaths(cursor);
  const groups = new Map<string, Group>();
  entityOf.forEach((entity, index) => {
    const values = context.valuesAt(cursor.fullResult, paths[entity] ?? []);
    const key = JSON.stringify(context.names.map((name) => (Object.prototype.hasOwnProperty.call(values, name) ? [values[name]] : [])));
    const group = groups.get(key);
    if (group) group.members.push(index);
    else groups.set(key, { values, members: [index] });
  });
  return [...groups.values()];
}

/**
 * Entities whose contextual arguments differ: one request still, with one aliased `_entities`
 * selection per group of entities that share their values (`_0`, `_1`, …).
 */
async function sendInGroups(
  fetch: CompiledFetch,
  context: ContextArguments,
  groups: readonly Group[],
  batch: { variables: Record<string, unknown>; representations: Record<string, unknown>[]; owners: Record<string, unknown>[]; entityOf: number[] },
  send: (sent: Sent) => Promise<Record<string, unknown> | null | undefined>,
): Promise<void> {
  const variables: Record<string, unknown> = { ...batch.variables };
  const entityOf: number[] = [];
  const offsets: number[] = [];
  groups.forEach((group, g) => {
    offsets.push(entityOf.length);
    for (const member of group.members) entityOf.push(batch.entityOf[member]!);
    variables[`representations_${g}`] = group.members.map((member) => batch.representations[member]);
    for (const [name, value] of Object.entries(group.values)) variables[`${name}_${g}`] = value;
  });
  const errorPath = (path: ReadonlyArray<string | number>): ReadonlyArray<string | number> => {
    const group = typeof path[0] === 'string' && /^_\d+$/.test(path[0]) ? Number(path[0].slice(1)) : undefined;
    if (group === undefined || group >= groups.length || typeof path[1] !== 'number') return path;
    return ['_entities', offsets[group]! + path[1], ...path.slice(2)];
  };
  const answer = await send({ variables, entityOf, operation: context.aliased(groups.length), errorPath });
  if (!answer) return;
  groups.forEach((group, g) => mergeEntities(fetch, answer[`_${g}`], group.members.map((member) => batch.owners[member]!)));
}
