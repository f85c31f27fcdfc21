/** What all projects share. */
const base = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  transform: {
    // 151002: ts-jest prefers isolatedModules with module Node16; we keep full type-checking instead.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }],
  },
  setupFiles: ['<rootDir>/spec/support/setup-env.ts'],
  // A deprecated jest API fails the run instead of warning. (Focused and skipped tests are refused by ESLint's
  // no-restricted-properties rule in eslint.config.mjs.)
  errorOnDeprecated: true,
};

/**
 * Unit specs: every spec but `*.dynalite.spec.ts` and `*.moto.spec.ts`. They start no dynalite, build nothing,
 * run no child process.
 * @type {import('jest').Config}
 */
const unit = {
  ...base,
  displayName: 'unit',
  testMatch: ['**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '\\.dynalite\\.spec\\.ts$', '\\.moto\\.spec\\.ts$'],
  // A unit spec that starts dynalite or builds the package fails at once, saying how to name it.
  moduleNameMapper: { '^(dynalite|esbuild)$': '<rootDir>/spec/support/unit-guard.ts' },
};

/**
 * Integration specs, named `*.dynalite.spec.ts`: each starts dynalite in-process; some also build the package
 * or run child processes.
 * @type {import('jest').Config}
 */
const dynalite = { ...base, displayName: 'dynalite', testMatch: ['**/*.dynalite.spec.ts'] };

/**
 * Specs of what only moto shows, named `*.moto.spec.ts`: each starts moto_server. Only with DYNAMO_BACKEND=moto
 * (`npm run test:moto`, which also runs the dynalite specs that take the backend as a parameter on moto).
 * @type {import('jest').Config}
 */
const moto = { ...base, displayName: 'moto', testMatch: ['**/*.moto.spec.ts'] };

/**
 * `npm test` runs the unit and dynalite projects (what CI runs). `npm run test:unit` sets SPECS=unit: the unit
 * project alone. An environment variable rather than `--selectProjects unit`, which would take a spec path
 * given after it (`npm run test:unit -- spec/options`) for a project name.
 * @type {import('jest').Config}
 */
module.exports = {
  projects:
    process.env.SPECS === 'unit'
      ? [unit]
      : [unit, dynalite, ...(process.env.DYNAMO_BACKEND === 'moto' ? [moto] : [])],
};
