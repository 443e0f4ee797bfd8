import type { ApolloServerPlugin, GraphQLRequestContextDidResolveOperation } from '@apollo/server';
import { getOperationAST, GraphQLError, Kind, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { AuthorizationRules } from './authorization';
import { FilteredOperations } from './authorization-cache';
import { restoreDenied } from './authorization-restore';
import type { RouterContext } from './context';
import { limitError, measureOperation, type OperationLimits } from './operation-limits';

/** Apollo Server lets plugins replace the operation before execution; its types say readonly. */
type Mutable = { document: DocumentNode; operation: OperationDefinitionNode | undefined; queryHash: string };

/**
 * The authorization rules of each API schema the gateway has served, so a request always uses the
 * rules of the supergraph it was validated against, across hot reloads.
 */
export class RulesBySchema {
  private readonly rules = new WeakMap<GraphQLSchema, AuthorizationRules>();
  private latest: AuthorizationRules | undefined;

  update(apiSchema: GraphQLSchema, supergraphSdl: string): void {
    const rules = AuthorizationRules.fromSupergraph(supergraphSdl);
    this.rules.set(apiSchema, rules);
    this.latest = rules;
  }

  for(schema: GraphQLSchema): AuthorizationRules | undefined {
    return this.rules.get(schema) ?? this.latest;
  }
}

/** Why no operation of the document can run: the client must name one, or named one it does not have. */
function unresolvedOperation(document: DocumentNode, operationName: string | undefined): GraphQLError {
  const names = document.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION ? [d.name?.value ?? '(anonymous)'] : []));
  const message =
    names.length === 0
      ? 'The document has no operation to run.'
      : operationName
        ? `The document has no operation named "${operationName}"; it has ${names.map((n) => `"${n}"`).join(', ')}.`
        : `The document has ${names.length} operations: name the one to run with operationName.`;
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
}

/**
 * The limits stage's hooks, after validation and before anything is planned: one operation, of a
 * root type the API has (400), within the operation limits (400 with the limit's code).
 */
export function operationLimitsPlugin(limits: OperationLimits): ApolloServerPlugin<RouterContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(requestContext: GraphQLRequestContextDidResolveOperation<RouterContext>) {
          const { schema, document, operation, request } = requestContext;
          if (!operation) throw unresolvedOperation(document, request.operationName);
          if (!schema.getRootType(operation.operation)) {
            throw new GraphQLError(`This API has no ${operation.operation} operations.`, {
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
            });
          }
          const exceeded = limitError(measureOperation(schema, document, operation, request.variables, limits.listSize), limits);
          if (exceeded) throw exceeded;
        },
      };
    },
  };
}

/**
 * The authorization stage's hooks: `@authenticated`/`@requiresScopes` fields the caller may not
 * read are removed from the operation before it is planned, then restored as null with their
 * errors in the response. The filter runs once per document and class of caller (`filtered`),
 * not once per request.
 */
export function authorizationPlugin(rules: RulesBySchema, filtered = new FilteredOperations()): ApolloServerPlugin<RouterContext> {
  return {
    async requestDidStart() {
      let removed: { original: DocumentNode; operation: OperationDefinitionNode; rules: AuthorizationRules } | undefined;
      return {
        async didResolveOperation(requestContext: GraphQLRequestContextDidResolveOperation<RouterContext>) {
          const { schema, document, operation, request, contextValue } = requestContext;
          if (!operation) return;
          const current = rules.for(schema);
          if (!current || current.empty) return;
          const result = filtered.filter(schema, current, document, contextValue.caller, requestContext.queryHash);
          if (result.denied.length === 0) return;
          const mutable = requestContext as unknown as Mutable;
          removed = { original: document, operation, rules: current };
          mutable.document = result.document;
          mutable.operation = getOperationAST(result.document, request.operationName) ?? undefined;
          mutable.queryHash = result.queryHash;
        },
        async willSendResponse({ response, schema, request, contextValue }) {
          if (!removed || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const restored = restoreDenied(
            schema,
            removed.rules,
            contextValue.caller,
            removed.original,
            removed.operation,
            request.variables,
            result.data as Record<string, unknown> | null | undefined,
          );
          const errors = [...restored.errors, ...(result.errors ?? [])];
          // The filter works on the whole document: a field denied in another operation of it
          // leaves nothing to report here, and a response must not carry an empty `errors`.
          const { errors: _none, ...rest } = result;
          response.body.singleResult = errors.length > 0 ? { ...rest, data: restored.data, errors } : { ...rest, data: restored.data };
        },
      };
    },
  };
}
