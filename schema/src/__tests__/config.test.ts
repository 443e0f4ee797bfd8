import { ConfigError, parseSubgraphsConfig } from '../config';

const users = { name: 'users', url: 'http://localhost:4001/graphql', schema: 'subgraphs/users/src/schema.graphql', owns: ['User'] };

function problemsOf(json: unknown): string[] {
  try {
    parseSubgraphsConfig(json);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('parseSubgraphsConfig', () => {
  it('accepts a valid list and defaults owns to none', () => {
    const { owns: _owns, ...withoutOwns } = users;
    expect(parseSubgraphsConfig({ subgraphs: [users, { ...withoutOwns, name: 'other', owns: undefined }] })).toEqual([users, { ...withoutOwns, name: 'other', owns: [] }]);
  });

  it('lists every problem at once', () => {
    expect(problemsOf({ subgraphs: [{ name: 'Users', url: 'localhost', schema: 'a.txt', owns: [1] }] })).toEqual([
      'subgraphs[0].name must be a lower-case name, got "Users"',
      'subgraphs[0].url must be an http(s) URL, got "localhost"',
      'subgraphs[0].schema must be the path of a .graphql file, got "a.txt"',
      'subgraphs[0].owns must be a list of type names',
    ]);
  });

  it('rejects a subgraph listed twice and an entity with two owners', () => {
    expect(problemsOf({ subgraphs: [users, users] })).toEqual(['subgraph "users" is listed twice', 'entity "User" is owned by both "users" and "users"']);
  });

  it('rejects an empty or missing list', () => {
    expect(problemsOf({})).toEqual(['"subgraphs" must be a non-empty list']);
    expect(problemsOf({ subgraphs: [] })).toEqual(['"subgraphs" must be a non-empty list']);
  });
});
