/**
 * Three tiers as jest projects (house style): unit tests beside the code, integration tests of one
 * subgraph against real MySQL/MariaDB, and end-to-end tests through the router over HTTP.
 * Workspaces are built first (`npm test` runs the build), so `@storefront/*` imports resolve to dist.
 */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }] };
const base = { testEnvironment: 'node', transform, moduleFileExtensions: ['ts', 'js', 'json'] };
const workspaces = '{packages,subgraphs}/*';

module.exports = {
  // Per-project testTimeout is ignored by jest-circus; this applies to every project.
  testTimeout: 60_000,
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: [
        `<rootDir>/${workspaces}/src/**/__tests__/*.test.ts`,
        '<rootDir>/{router,schema}/src/**/__tests__/*.test.ts',
        '<rootDir>/docker/test/*.test.ts',
      ],
      testPathIgnorePatterns: ['/node_modules/', '\\.int\\.test\\.ts$'],
    },
    {
      ...base,
      displayName: 'integration',
      testMatch: [
        `<rootDir>/${workspaces}/test/*.int.test.ts`,
        '<rootDir>/{router,schema}/test/*.int.test.ts',
        '<rootDir>/docker/test/*.int.test.ts',
      ],
    },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/router/test/*.e2e.test.ts'],
    },
  ],
};
