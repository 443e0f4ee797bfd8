import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { PersistedQueryOptions } from '@apollo/server';
import { HttpError, type GraphQLHttpRequest } from '@storefront/kit';
import { Kind, parse, print, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { z } from 'zod';

/** Apollo's persisted query manifest format, as `schema/` writes it from `schema/operations/`. */
const manifestSchema = z.object({
  format: z.literal('apollo-persisted-query-manifest'),
  version: z.literal(1),
  operations: z.array(
    z.object({
      id: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest'),
      name: z.string(),
      type: z.enum(['query', 'mutation', 'subscription']),
      body: z.string(),
    }),
  ),
});

export type PersistedOperationManifest = z.infer<typeof manifestSchema>;

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function fragmentsUsedBy(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, used: Map<string, FragmentDefinitionNode>): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = fragments.get(selection.name.value);
      if (fragment && !used.has(fragment.name.value)) {
        used.set(fragment.name.value, fragment);
        fragmentsUsedBy(fragment.selectionSet, fragments, used);
      }
    } else if (selection.selectionSet) {
      fragmentsUsedBy(selection.selectionSet, fragments, used);
    }
  }
}

/**
 * The canonical text of one operation of a document: the operation, then the fragments it uses
 * sorted by name, printed by graphql-js. `schema/src/persisted-manifest.ts` builds manifest bodies
 * the same way, so a client may send an operation formatted differently, or within its whole file.
 */
export function operationBody(document: DocumentNode, operation: OperationDefinitionNode): string {
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  const used = new Map<string, FragmentDefinitionNode>();
  fragmentsUsedBy(operation.selectionSet, fragments, used);
  const sorted = [...used.values()].sort((a, b) => a.name.value.localeCompare(b.name.value));
  return print({ kind: Kind.DOCUMENT, definitions: [operation, ...sorted] });
}

/** The safelist: operations by sha256 id of their body. */
export class PersistedOperations {
  private readonly bodies = new Map<string, string>();

  constructor(manifest: PersistedOperationManifest) {
    for (const operation of manifest.operations) {
      // A body that does not hash to its id was edited by hand: refuse the manifest rather than guess.
      if (sha256(operation.body) !== operation.id) throw new Error(`persisted operation ${operation.name}: id is not the sha256 of its body`);
      this.bodies.set(operation.id, operation.body);
    }
  }

  static load(path: string): PersistedOperations {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new Error(
        `Cannot read the persisted operations manifest at ${path}: ${(error as Error).message}. Build it with \`npm run manifest --workspace @storefront/schema\` or set PERSISTED_OPERATIONS_MANIFEST.`,
      );
    }
    const parsed = manifestSchema.safeParse(json);
    if (!parsed.success) throw new Error(`Invalid persisted operations manifest ${path}: ${parsed.error.issues[0]?.message}`);
    return new PersistedOperations(parsed.data);
  }

  get size(): number {
    return this.bodies.size;
  }

  body(id: string): string | undefined {
    return this.bodies.get(id);
  }

  /** True when the text is a manifest body, as sent or once its operation is printed canonically. */
  allows(query: string, operationName: string | undefined): boolean {
    if (this.bodies.has(sha256(query))) return true;
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch {
      return false;
    }
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
    return operation !== undefined && this.bodies.has(sha256(operationBody(document, operation)));
  }

  /**
   * The APQ cache of safelist mode: it knows exactly the manifest, and registering anything else
   * is a no-op, so a client cannot add operations by sending them.
   */
  apqCache(): NonNullable<PersistedQueryOptions['cache']> {
    return {
      // Apollo Server prefixes APQ keys with `apq:`.
      get: async (key) => this.bodies.get(key.replace(/^apq:/, '')),
      set: async () => undefined,
      delete: async () => undefined,
    };
  }
}

function requestFields(request: GraphQLHttpRequest): { query?: unknown; operationName?: unknown; extensions?: unknown } {
  if (request.method === 'GET') {
    const params = new URLSearchParams(request.search);
    let extensions: unknown;
    try {
      extensions = JSON.parse(params.get('extensions') ?? 'null');
    } catch {
      // Not JSON: Apollo Server says so.
    }
    return { query: params.get('query') ?? undefined, operationName: params.get('operationName') ?? undefined, extensions };
  }
  const body = (request.body ?? {}) as { query?: unknown; operationName?: unknown; extensions?: unknown };
  return { query: body.query, operationName: body.operationName, extensions: body.extensions };
}

/**
 * An automatic persisted query the router cannot take, said as the client's mistake (Apollo
 * Server answers these with a masked error): a version other than 1, or a text whose sha256 is
 * not the hash it came with.
 */
export function persistedQueryCheck(request: GraphQLHttpRequest): void {
  const { query, extensions } = requestFields(request);
  const persisted = (extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | null | undefined)?.persistedQuery;
  if (!persisted) return;
  if (persisted.version !== 1) {
    throw new HttpError(400, `Persisted query version ${JSON.stringify(persisted.version)} is not supported; this router speaks version 1`, 'BAD_USER_INPUT');
  }
  if (typeof query === 'string' && persisted.sha256Hash !== createHash('sha256').update(query).digest('hex')) {
    throw new HttpError(400, "The persisted query's sha256Hash is not the SHA-256 of its query text", 'BAD_USER_INPUT');
  }
}

/**
 * Safelist mode at the edge, before any parsing by Apollo Server: an operation sent as text must
 * be in the manifest; one sent by hash alone is looked up in the manifest by the APQ cache above.
 */
export function safelist(operations: PersistedOperations) {
  return (request: GraphQLHttpRequest): void => {
    const { query, operationName } = requestFields(request);
    // An id alone is looked up by Apollo in the manifest (PERSISTED_QUERY_NOT_FOUND when unknown);
    // neither text nor id is Apollo's 400 BAD_REQUEST.
    if (typeof query !== 'string' || query === '') return;
    if (operations.allows(query, typeof operationName === 'string' ? operationName : undefined)) return;
    throw new HttpError(400, 'This router only runs persisted operations, and this operation is not one of them', 'PERSISTED_QUERY_NOT_FOUND');
  };
}

/** Pulls the operation text of a request, for checks that run before parsing. */
export function operationText(request: GraphQLHttpRequest): string | undefined {
  const { query } = requestFields(request);
  return typeof query === 'string' ? query : undefined;
}
