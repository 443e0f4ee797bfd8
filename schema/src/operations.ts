import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { GraphQLError, Kind, parse, type DocumentNode } from 'graphql';
import { OPERATIONS_DIR } from './paths';
import type { Finding, OperationRef } from './report/report';

/** One `.graphql` file of client operations, parsed. */
export interface OperationFile {
  /** Relative to the repository root. */
  file: string;
  document: DocumentNode;
  operations: OperationRef[];
}

export interface LoadedOperations {
  files: OperationFile[];
  /** Files that do not parse: reported by the operations check. */
  problems: Finding[];
}

function graphqlFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return graphqlFiles(path);
      return entry.isFile() && entry.name.endsWith('.graphql') ? [path] : [];
    })
    .sort();
}

/** Parses one file's text; exported for unit tests. */
export function parseOperationFile(file: string, text: string): OperationFile | Finding {
  let document: DocumentNode;
  try {
    document = parse(text);
  } catch (error) {
    const line = error instanceof GraphQLError ? error.locations?.[0]?.line : undefined;
    return { severity: 'error', code: 'INVALID_GRAPHQL', message: `${file} does not parse: ${(error as Error).message}`, locations: [{ file, line }] };
  }
  const operations = document.definitions.flatMap((def): OperationRef[] =>
    def.kind === Kind.OPERATION_DEFINITION ? [{ name: def.name?.value ?? '(anonymous)', file, line: def.loc?.startToken.line ?? 1 }] : [],
  );
  return { file, document, operations };
}

/** Every `schema/operations/**\/*.graphql` file under the root. */
export function loadOperations(root: string): LoadedOperations {
  const files: OperationFile[] = [];
  const problems: Finding[] = [];
  for (const path of graphqlFiles(join(root, OPERATIONS_DIR))) {
    const parsed = parseOperationFile(relative(root, path), readFileSync(path, 'utf8'));
    if ('document' in parsed) files.push(parsed);
    else problems.push(parsed);
  }
  return { files, problems };
}
