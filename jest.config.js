/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    // 151002: ts-jest prefers isolatedModules with module Node16; we keep full type-checking instead.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }],
  },
  setupFiles: ['<rootDir>/spec/support/setup-env.ts'],
  // A deprecated jest API fails the run instead of warning. (Focused and skipped tests are refused by ESLint's
  // no-restricted-properties rule in eslint.config.mjs.)
  errorOnDeprecated: true,
};
