/**
 * The storefront's browser test on its own (`npm run test:e2e` here). It is an e2e test like
 * router/test/*.e2e.test.ts, with the same transform, so the root jest config can take it in by
 * adding `<rootDir>/apps/*\/test/*.e2e.test.ts` to its e2e project.
 */
module.exports = {
  rootDir: `${__dirname}/../..`,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/apps/storefront/test/*.e2e.test.ts'],
  testTimeout: 180_000,
};
