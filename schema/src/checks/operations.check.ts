import { Kind, validate, visit, type DefinitionNode, type DocumentNode, type GraphQLError, type GraphQLSchema } from 'graphql';
import type { LoadedOperations, OperationFile } from '../operations';
import { OPERATIONS_DIR } from '../paths';
import type { CheckResult, Finding, OperationRef } from '../report/report';
import { statusOf } from '../report/report';

const TITLE = 'Client operations';

const COORDINATE_PATTERNS: ReadonlyArray<[RegExp, (m: RegExpExecArray) => string]> = [
  [/Cannot query field "(\w+)" on type "(\w+)"/, (m) => `${m[2]}.${m[1]}`],
  [/Unknown argument "(\w+)" on field "(\w+\.\w+)"/, (m) => `${m[2]}.${m[1]}`],
  [/Value "(\w+)" does not exist in "(\w+)" enum/, (m) => `${m[2]}.${m[1]}`],
  [/Unknown type "(\w+)"/, (m) => m[1]!],
];

/** The schema coordinate a validation message names, e.g. `Product.name` from "Cannot query field…". */
export function coordinateOfError(message: string): string | undefined {
  for (const [pattern, coordinate] of COORDINATE_PATTERNS) {
    const match = pattern.exec(message);
    if (match) return coordinate(match);
  }
  return undefined;
}

/** The fragments an operation or fragment spreads, directly or through other fragments. */
function spreadsOf(document: DocumentNode, root: DefinitionNode): Set<string> {
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const found = new Set<string>();
  const walk = (node: DefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const fragment = fragments.get(spread.name.value);
        if (found.has(spread.name.value) || !fragment) return;
        found.add(spread.name.value);
        walk(fragment);
      },
    });
  walk(root);
  return found;
}

/** Who a line of a file belongs to: an operation, or a fragment and the operations that spread it. */
export function ownerAt(file: OperationFile, line: number | undefined): string {
  const def = file.document.definitions.find((d) => d.loc && line !== undefined && d.loc.startToken.line <= line && line <= d.loc.endToken.line);
  if (def?.kind === Kind.OPERATION_DEFINITION) return `operation ${def.name?.value ?? '(anonymous)'}`;
  if (def?.kind === Kind.FRAGMENT_DEFINITION) {
    const users = file.document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION && spreadsOf(file.document, d).has(def.name.value));
    const names = users.map((d) => (d.kind === Kind.OPERATION_DEFINITION ? (d.name?.value ?? '(anonymous)') : ''));
    return `fragment ${def.name.value} (spread by ${names.length > 0 ? names.join(', ') : 'no operation'})`;
  }
  return file.file;
}

function toFinding(file: OperationFile, error: GraphQLError): Finding {
  const line = error.locations?.[0]?.line;
  return {
    severity: 'error',
    code: 'INVALID_OPERATION',
    message: `${ownerAt(file, line)} no longer validates: ${error.message}`,
    coordinate: coordinateOfError(error.message),
    locations: [{ file: file.file, line }],
    fix: 'Keep the schema compatible (deprecate before removing), or update the operation together with its frontend.',
  };
}

function namingFindings(files: readonly OperationFile[]): Finding[] {
  const findings: Finding[] = [];
  const seen = new Map<string, OperationRef>();
  for (const op of files.flatMap((f) => f.operations)) {
    const at = [{ file: op.file, line: op.line }];
    if (op.name === '(anonymous)') {
      findings.push({ severity: 'error', code: 'ANONYMOUS_OPERATION', message: 'an operation has no name', locations: at, fix: 'Name every operation: clients, logs and persisted queries know operations by name.' });
      continue;
    }
    const first = seen.get(op.name);
    if (first) findings.push({ severity: 'error', code: 'DUPLICATE_OPERATION', message: `operation ${op.name} is also defined in ${first.file}:${first.line}`, locations: at, fix: 'Give each operation a unique name.' });
    else seen.set(op.name, op);
  }
  return findings;
}

/** Every client operation must validate against the new public API schema. */
export function operationsCheck(loaded: LoadedOperations, schema: GraphQLSchema): CheckResult {
  const { files, problems } = loaded;
  const count = files.reduce((n, f) => n + f.operations.length, 0);
  const findings: Finding[] = [...problems, ...namingFindings(files)];
  for (const file of files) findings.push(...validate(schema, file.document).map((e) => toFinding(file, e)));
  if (count === 0 && problems.length === 0) {
    findings.push({ severity: 'warning', code: 'NO_OPERATIONS', message: `no client operations in ${OPERATIONS_DIR}`, locations: [], fix: `Add the operations your frontends send as .graphql files under ${OPERATIONS_DIR}.` });
  }
  const invalid = findings.filter((f) => f.severity === 'error').length;
  const summary = invalid === 0 ? `${count} operation(s) in ${files.length} file(s) validate against the new API schema` : `${invalid} problem(s) in ${count} operation(s)`;
  return { id: 'operations', title: TITLE, status: statusOf(findings), summary, findings };
}
