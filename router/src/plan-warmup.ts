import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import type { Caller, Logger } from '@storefront/kit';
import {
  getNamedType,
  getNullableType,
  getOperationAST,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  parse,
  typeFromAST,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { filteredQueryHash, filterOperation, type AuthorizationRules } from './authorization';
import type { RouterContext } from './context';
import type { RulesBySchema } from './operation-guard';

/** An operation whose plan is worth having before anyone asks for it. */
export interface WarmupOperation {
  query: string;
  operationName?: string;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The operations of a persisted-operations manifest, or none when there is no such file. The
 * gateway keys a plan by the text and by the operation name when the request names one, so each
 * operation comes twice: as clients like Apollo Client and urql send it (named), and as curl does.
 */
export function manifestOperations(path: string): WarmupOperation[] {
  if (!existsSync(path)) return [];
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as { operations?: { name?: string; body?: string }[] };
  return (manifest.operations ?? []).flatMap((op) =>
    typeof op.body === 'string' ? [{ query: op.body, operationName: op.name }, { query: op.body }] : [],
  );
}

/**
 * The distinct operations clients ran most recently, so a supergraph reload can plan again what
 * traffic is asking for right now. A bounded map in recency order: one lookup per request.
 */
export class RecentOperations {
  private readonly operations = new Map<string, WarmupOperation>();

  constructor(private readonly max = 200) {}

  record(operation: WarmupOperation): void {
    const key = `${operation.operationName ?? ''}\n${operation.query}`;
    if (this.operations.has(key)) this.operations.delete(key);
    else if (this.operations.size >= this.max) this.operations.delete(this.operations.keys().next().value as string);
    this.operations.set(key, operation);
  }

  list(): WarmupOperation[] {
    return [...this.operations.values()].reverse();
  }

  plugin(): ApolloServerPlugin<RouterContext> {
    return {
      requestDidStart: async () => ({
        didResolveOperation: async ({ request, operation }) => {
          if (request.query && operation && operation.operation !== 'subscription') {
            this.record({ query: request.query, operationName: request.operationName ?? undefined });
          }
        },
      }),
    };
  }
}

/**
 * The callers a plan depends on: authorization takes out what a caller may not read, and the
 * filtered operation has a plan of its own. Planned for an anonymous caller, a signed-in one
 * without scopes, and one holding every scope the supergraph names.
 */
function callerClasses(rules: AuthorizationRules | undefined): (Caller | null)[] {
  if (!rules || rules.empty) return [null];
  const scopes = rules.scopes();
  return [null, { userId: 'plan-warmup', roles: [], scopes: [] }, { userId: 'plan-warmup', roles: scopes, scopes }];
}

export interface WarmupResult {
  operations: number;
  plans: number;
  /** Operations the current supergraph no longer accepts (e.g. a field removed by the reload). */
  skipped: number;
  ms: number;
}

/** Some valid value of an input type: the gateway checks variables before it plans. */
function placeholder(type: GraphQLInputType, depth = 0): unknown {
  if (!isNonNullType(type)) return null;
  const inner = getNullableType(type);
  if (isListType(inner)) return [];
  if (isEnumType(inner)) return inner.getValues()[0]?.value ?? null;
  if (isInputObjectType(inner)) {
    if (depth > 5) return {};
    const value: Record<string, unknown> = {};
    for (const field of Object.values(inner.getFields())) {
      if (isNonNullType(field.type) && field.defaultValue === undefined) value[field.name] = placeholder(field.type, depth + 1);
    }
    return value;
  }
  const scalar = getNamedType(inner);
  if (isScalarType(scalar) && (scalar.name === 'Int' || scalar.name === 'Float')) return 0;
  if (isScalarType(scalar) && scalar.name === 'Boolean') return false;
  return '';
}

/** Placeholder values for an operation's required variables (custom scalars get a string). */
export function placeholderVariables(schema: GraphQLSchema, operation: OperationDefinitionNode): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    if (type && isNonNullType(type) && !definition.defaultValue) variables[definition.variable.name.value] = placeholder(type);
  }
  return variables;
}

/**
 * Fills the gateway's query-plan cache for these operations under the schema it serves now. The
 * gateway keeps plans by Apollo Server's query hash (sha256 of the text, with the operation name),
 * so each operation goes through the gateway's own executor exactly as a request would, with a
 * context that makes every subgraph fetch answer `null` at once: the plan is built and stored,
 * and nothing is sent anywhere. Yields to the event loop between operations, so requests arriving
 * during a reload's warm-up are served meanwhile.
 */
export async function warmQueryPlans(options: {
  executor: GatewayExecutor;
  apiSchema: GraphQLSchema;
  rules: AuthorizationRules | undefined;
  operations: WarmupOperation[];
  log: Logger;
}): Promise<WarmupResult> {
  const started = performance.now();
  const seen = new Set<string>();
  const callers = callerClasses(options.rules);
  let plans = 0;
  let skipped = 0;
  for (const { query, operationName } of options.operations) {
    await new Promise((resolve) => setImmediate(resolve));
    try {
      const document = parse(query);
      const operation = getOperationAST(document, operationName);
      if (!operation) throw new Error('no such operation');
      const queryHash = sha256(query);
      for (const caller of callers) {
        const filtered = options.rules ? filterOperation(options.apiSchema, options.rules, document, caller) : { document, denied: [] };
        const hash = filtered.denied.length > 0 ? filteredQueryHash(queryHash, filtered.denied) : queryHash;
        if (seen.has(`${hash}\n${operationName ?? ''}`)) continue;
        seen.add(`${hash}\n${operationName ?? ''}`);
        const context: RouterContext = { planWarmup: true, requestId: 'plan-warmup', log: options.log, caller, clientAddress: '' };
        const result = await options.executor({
          request: { query, operationName, variables: placeholderVariables(options.apiSchema, operation) },
          document: filtered.document,
          operation: getOperationAST(filtered.document, operationName) ?? operation,
          operationName: operationName ?? null,
          queryHash: hash,
          context,
          logger: options.log,
          metrics: {},
          cache: undefined,
          schema: options.apiSchema,
          overallCachePolicy: undefined,
        } as unknown as Parameters<GatewayExecutor>[0]);
        // Variables are checked before planning: refused ones mean no plan was made.
        if (result.errors && !('data' in result)) throw new Error(result.errors[0]?.message);
        plans += 1;
      }
    } catch {
      skipped += 1;
    }
  }
  return { operations: options.operations.length, plans, skipped, ms: Math.round(performance.now() - started) };
}

/**
 * Plans the persisted operations before serving, and after every supergraph reload (the gateway
 * empties its plan cache on each) those again with the operations clients ran most recently.
 * `current` settles when the latest warm-up has.
 */
export function planWarmup(options: {
  enabled: boolean;
  manifestPath: string;
  gateway: GatewayInterface;
  executor: GatewayExecutor;
  rules: RulesBySchema;
  recent: RecentOperations;
  log: Logger;
}): { current: Promise<void> } {
  const { gateway, executor, rules, recent, log } = options;
  const state = { current: Promise.resolve() };
  if (!options.enabled) return state;
  let known: WarmupOperation[] = [];
  try {
    known = manifestOperations(options.manifestPath);
  } catch (error) {
    log.warn({ err: error, path: options.manifestPath }, 'cannot read the persisted-operations manifest; warming recent operations only');
  }
  let loads = 0;
  gateway.onSchemaLoadOrUpdate(({ apiSchema }) => {
    const reload = loads++ > 0;
    const operations = reload ? [...recent.list(), ...known] : known;
    state.current = state.current
      .then(() => warmQueryPlans({ executor, apiSchema, rules: rules.for(apiSchema), operations, log }))
      .then(
        (result) => log.info({ planWarmup: { ...result, reload } }, 'query plans warmed'),
        (error: unknown) => log.warn({ err: error }, 'query-plan warm-up failed; plans will be made on first use'),
      );
  });
  return state;
}
