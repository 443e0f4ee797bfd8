import { ConfigError } from '../../config';
import { parseCodegenConfig } from '../codegen-config';

const SUBGRAPHS = ['users', 'products'];

function problemsOf(json: unknown): string[] {
  try {
    parseCodegenConfig(json, SUBGRAPHS);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('parseCodegenConfig', () => {
  it('reads resolver targets by subgraph name, defaulting mappers to none, and the operations target', () => {
    expect(
      parseCodegenConfig(
        { resolvers: { users: { output: 'subgraphs/users/src/generated/resolvers-types.ts', contextType: '../ctx#Ctx' } }, operations: { output: 'apps/web/src/generated/graphql.ts' } },
        SUBGRAPHS,
      ),
    ).toEqual({
      resolvers: [{ subgraph: 'users', output: 'subgraphs/users/src/generated/resolvers-types.ts', contextType: '../ctx#Ctx', mappers: {} }],
      operations: { output: 'apps/web/src/generated/graphql.ts' },
    });
  });

  it('lists every problem at once: unknown subgraph, bad paths, bad context type and mappers, shared outputs', () => {
    expect(
      problemsOf({
        resolvers: {
          shipping: { output: 'a.ts' },
          users: { output: '../outside.js', contextType: 'Ctx', mappers: { User: 1 } },
          products: { output: 'a.ts' },
        },
        operations: { output: '/abs/graphql.ts' },
      }),
    ).toEqual([
      'resolvers.shipping: "shipping" is not a subgraph of schema/subgraphs.json',
      'resolvers.users.output must be a relative path of a .ts file, got "../outside.js"',
      'resolvers.users.contextType must be "path#Type", got "Ctx"',
      'resolvers.users.mappers must map type names to TypeScript types ("path#Type" or a type expression)',
      '"operations.output" must be a relative path of a .ts file',
      'a.ts is the output of more than one target',
    ]);
  });

  it('names the codegen config in the error message', () => {
    expect(() => parseCodegenConfig([], SUBGRAPHS)).toThrow('schema/codegen.json is invalid');
  });
});
