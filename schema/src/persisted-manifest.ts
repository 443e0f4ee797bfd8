import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, print, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { loadOperations, type OperationFile } from './operations';

/** Where the safelist of the router's `PERSISTED_OPERATIONS=enforce` mode lives. */
export const MANIFEST_FILE = 'schema/persisted-operations.json';

/** Apollo's persisted query manifest format (also read by Apollo Router and GraphOS tooling). */
export interface PersistedOperationManifest {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: { id: string; name: string; type: 'query' | 'mutation' | 'subscription'; body: string }[];
}

function collectFragments(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, used: Map<string, FragmentDefinitionNode>): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = fragments.get(selection.name.value);
      if (fragment && !used.has(fragment.name.value)) {
        used.set(fragment.name.value, fragment);
        collectFragments(fragment.selectionSet, fragments, used);
      }
    } else if (selection.selectionSet) {
      collectFragments(selection.selectionSet, fragments, used);
    }
  }
}

/**
 * The body of one operation: the operation, then the fragments it uses sorted by name, printed by
 * graphql-js. The router (`router/src/persisted-operations.ts`) normalizes what clients send the
 * same way; keep the two in step.
 */
export function operationBody(document: DocumentNode, operation: OperationDefinitionNode): string {
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  const used = new Map<string, FragmentDefinitionNode>();
  collectFragments(operation.selectionSet, fragments, used);
  const sorted = [...used.values()].sort((a, b) => a.name.value.localeCompare(b.name.value));
  return print({ kind: Kind.DOCUMENT, definitions: [operation, ...sorted] });
}

/** One manifest entry per named operation, with the sha256 of its body as id, sorted by name. */
export function buildManifest(files: readonly OperationFile[]): PersistedOperationManifest {
  const operations = files.flatMap((file) =>
    file.document.definitions
      .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
      .map((operation) => {
        const body = operationBody(file.document, operation);
        return { id: createHash('sha256').update(body).digest('hex'), name: operation.name?.value ?? '', type: operation.operation, body };
      }),
  );
  operations.sort((a, b) => a.name.localeCompare(b.name));
  return { format: 'apollo-persisted-query-manifest', version: 1, operations };
}

export const manifestText = (manifest: PersistedOperationManifest): string => `${JSON.stringify(manifest, null, 2)}\n`;

/**
 * Builds the manifest from `schema/operations/**\/*.graphql` and writes it. Files that do not parse
 * are reported, not skipped silently: the schema check's operations check says the same.
 */
export function writeManifest(root: string): { manifest: PersistedOperationManifest; problems: string[] } {
  const { files, problems } = loadOperations(root);
  const manifest = buildManifest(files);
  if (problems.length === 0) writeFileSync(join(root, MANIFEST_FILE), manifestText(manifest));
  return { manifest, problems: problems.map((p) => p.message) };
}
