import { buildSchema } from 'graphql';
import type { SubgraphSource } from '../../config';
import { buildSourceIndex } from '../../source-index';
import { lintCheck } from '../lint.check';

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';

function source(name: string, owns: string[], sdl: string): SubgraphSource {
  return { name, url: 'http://localhost:4001/graphql', schema: `${name}.graphql`, owns, sdl: `${LINK}\n${sdl}` };
}

const GOOD = `"A user." type User @key(fields: "id") { "Id." id: ID! }
type Query { "Me." me: User }`;

function lint(api: string, sources: SubgraphSource[]) {
  return lintCheck(buildSchema(api), sources, buildSourceIndex(sources));
}

describe('lintCheck', () => {
  const users = source('users', ['User'], GOOD);

  it('passes described, conventionally named types with a resolvable key in the owner (root types need no description)', () => {
    expect(lint('"A user." type User { "Id." id: ID! } type Query { "Me." me(first: Int): User }', [users])).toMatchObject({ status: 'pass', findings: [] });
  });

  it('fails a missing description on a type, field, input field or enum value, pointing at the subgraph line', () => {
    const result = lint('"A user." type User { id: ID! } type Query { "Me." me: User } enum Role { ADMIN } "I." input I { "A." a: Int }', [users]);
    expect(result.findings.filter((f) => f.code === 'MISSING_DESCRIPTION').map((f) => f.coordinate)).toEqual(['User.id', 'Role', 'Role.ADMIN']);
    expect(result.findings.find((f) => f.coordinate === 'User.id')?.locations).toEqual([{ file: 'users.graphql', line: 2, subgraph: 'users' }]);
  });

  it('fails names that break the conventions', () => {
    const result = lint('"A." type user_account { "A." First_name: String } type Query { "Me." me: user_account } "R." enum Role { "A." admin }', [users]);
    expect(result.findings.filter((f) => f.code === 'NAMING_CONVENTION').map((f) => f.message)).toEqual([
      'type user_account should be PascalCase',
      'field user_account.First_name should be camelCase',
      'enum value Role.admin should be UPPER_CASE',
    ]);
  });

  it('fails an entity without an owner, and an owner whose only key is not resolvable', () => {
    const api = '"A user." type User { "Id." id: ID! } "A review." type Review { "Id." id: ID! } type Query { "Me." me: User "R." r: Review }';
    const noOwner = lint(api, [users, source('reviews', [], '"A review." type Review @key(fields: "id") { "Id." id: ID! }')]);
    expect(noOwner.findings).toEqual([expect.objectContaining({ code: 'ENTITY_WITHOUT_OWNER', coordinate: 'Review' })]);

    const unresolvable = lint(api, [users, source('reviews', ['Review'], '"A review." type Review @key(fields: "id", resolvable: false) { "Id." id: ID! }')]);
    expect(unresolvable.findings).toEqual([expect.objectContaining({ code: 'ENTITY_WITHOUT_RESOLVABLE_KEY', coordinate: 'Review', subgraphs: ['reviews'] })]);
  });

  it('fails a config that says a subgraph owns a type that is not an entity', () => {
    expect(lint('"A user." type User { "Id." id: ID! } type Query { "Me." me: User }', [source('users', ['User', 'Session'], GOOD)]).findings).toEqual([
      expect.objectContaining({ code: 'OWNED_TYPE_NOT_AN_ENTITY', coordinate: 'Session' }),
    ]);
  });
});
