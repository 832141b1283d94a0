/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Jest lists untested files for coverage from the files it crawled, i.e. from `roots`: the source
  // directories are roots too, so a file no test imports counts as 0 % instead of being left out.
  // Tests are still found only under test/.
  roots: ['<rootDir>/test', '<rootDir>/bin', '<rootDir>/lib', '<rootDir>/lambda'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  // Middy is ESM-only: let swc turn it into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(@middy)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  collectCoverageFrom: ['bin/**/*.ts', 'lib/**/*.ts', 'lambda/**/*.ts'],
  coverageReporters: ['text-summary', 'lcov'],
  coverageThreshold: { global: { lines: 80 } },
  testTimeout: 60_000,
  // Most suites wait on PostgreSQL, cognito-local or a child process, so two workers fit the 2-core
  // build machines (jest's default, cores - 1, is one: 4 min instead of 2.5). Three starve the
  // embedded PostgreSQL under coverage and connections time out.
  maxWorkers: 2,
  setupFilesAfterEnv: ['<rootDir>/test/support/quiet-logs.ts'],
  // Once per run: what many files would otherwise each rebuild (see the files).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
