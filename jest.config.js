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
 * Unit specs: every spec but `*.dynalite.spec.ts`, `*.processes.spec.ts` and `*.moto.spec.ts`. They start no
 * dynalite, build nothing, run no child process.
 * @type {import('jest').Config}
 */
const unit = {
  ...base,
  displayName: 'unit',
  testMatch: ['**/*.spec.ts'],
  testPathIgnorePatterns: [
    '/node_modules/',
    '\\.dynalite\\.spec\\.ts$',
    '\\.processes\\.spec\\.ts$',
    '\\.moto\\.spec\\.ts$',
  ],
  // A unit spec that starts dynalite or builds the package fails at once, saying how to name it.
  moduleNameMapper: { '^(dynalite|esbuild)$': '<rootDir>/spec/support/unit-guard.ts' },
};

/**
 * Integration specs, named for what they start: `*.dynalite.spec.ts` start dynalite in-process (some also
 * build the package or run child processes); `*.processes.spec.ts` build a script and run it in child
 * processes, without dynalite.
 * @type {import('jest').Config}
 */
const integration = {
  ...base,
  displayName: 'integration',
  testMatch: ['**/*.dynalite.spec.ts', '**/*.processes.spec.ts'],
};

/**
 * Specs of what only moto shows, named `*.moto.spec.ts`: each starts moto_server. Only with DYNAMO_BACKEND=moto
 * (`npm run test:moto`, which also runs the dynalite specs that take the backend as a parameter on moto).
 * @type {import('jest').Config}
 */
const moto = { ...base, displayName: 'moto', testMatch: ['**/*.moto.spec.ts'] };

/**
 * `npm test` runs the unit and integration projects (what CI runs), with coverage. `npm run test:unit` sets
 * SPECS=unit: the unit project alone, without coverage (the thresholds are the whole suite's). An environment
 * variable rather than `--selectProjects unit`, which would take a spec path given after it
 * (`npm run test:unit -- spec/options`) for a project name. Run a few specs with `npx jest <paths>` (no
 * coverage): `npm test -- <paths>` would hold them to the whole suite's thresholds. `npm run test:moto` runs the
 * specs that take the backend as a parameter on moto, without coverage.
 * @type {import('jest').Config}
 */
module.exports = {
  projects:
    process.env.SPECS === 'unit'
      ? [unit]
      : [unit, integration, ...(process.env.DYNAMO_BACKEND === 'moto' ? [moto] : [])],
  // Every source file, none left out (src/logger.ts holds only a type, so it has nothing to count). Coverage sees
  // what runs in jest's own processes: the bundling specs and the CLI's bin run built code in child processes,
  // which it does not see. src/cli.ts is counted all the same: the specs run its runCli() in-process; what they
  // cannot reach is processIo() (the terminal's side) and the answers only AWS gives (TTL already enabled).
  collectCoverageFrom: ['src/**/*.ts'],
  coverageReporters: ['text-summary'],
  // Measured on the whole suite: 97.5 % of statements, 94.4 % of branches, 98.1 % of functions, 98.1 % of lines.
  // jest takes the files that have thresholds of their own out of `global`, which is then the rest: the CLI, the
  // stores, the errors and the adapters (95.1 / 87.0 / 96.3 / 96.0 %); its thresholds sit just under that.
  // Paths are relative to where jest runs: the repository root.
  coverageThreshold: {
    global: { statements: 94, branches: 86, functions: 95, lines: 95 },
    // Each of these files is fully covered, and is to stay so: a line or branch without a test fails CI.
    './src/{budget,config,current-session,data-codec,engine,lifecycle,options,session-id,timeouts,with-session}.ts':
      { statements: 100, branches: 100, functions: 100, lines: 100 },
    './src/decorators/*.ts': { statements: 100, branches: 100, functions: 100, lines: 100 },
    // One branch left, defensive: the `?? 1` of a newer-schema error, whose session always has a version above 1.
    './src/persist.ts': { statements: 100, branches: 97, functions: 100, lines: 100 },
    // Per file. Left: a mergeCookie() case that options parsing refuses first, a log length of '' that the
    // condition before it rules out, decorateResponse() without additions (only specs call it).
    './src/transport/*.ts': { statements: 98, branches: 94, functions: 100, lines: 100 },
  },
};
