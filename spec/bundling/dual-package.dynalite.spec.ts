// The package's two builds in one process: the CommonJS build (tsc) and the ES module build (esbuild) are two
// copies of the code, and an app can load both. What must be one per process is: the configuration and the
// stores built from the environment, the session scope of getSessionData(), the decorators' registry, and
// instanceof for the errors. Both builds are made here (into build/, not dist/), then loaded together by
// dual-package.check.mjs in a node process of its own (jest's module system would stand between them), with a
// table on the dynalite this process starts.
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createSessionTable, type LocalDynamo, startDynalite } from '../support/dynalite';
import { ERROR_CLASS_NAMES } from '../support/error-names';

const ROOT = join(__dirname, '..', '..');
const OUT = join(ROOT, 'build', 'dual-package'); // inside the repo, so the peers resolve from node_modules
const run = promisify(execFile);

interface Stored {
  data: unknown;
  ttl: number;
}
interface Report {
  config: Record<string, Stored>;
  middy: Stored;
  environment: { bodies: string[]; clientsBuilt: number };
  validatedRules: Record<string, number | undefined>;
  scope: Record<string, { isNew: string; data: unknown }>;
  decorators: Record<string, unknown[]>;
  errors: {
    names: string[];
    mismatches: string[];
    acrossBuilds: number;
    strangers: number;
    subclasses: Record<string, boolean>;
  };
  conflict: Record<string, { runs: number; loads: number; data: unknown }>;
}

let dynamo: LocalDynamo;
let report: Report;

beforeAll(async () => {
  rmSync(OUT, { recursive: true, force: true });
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  await run(
    process.execPath,
    [
      tsc,
      ...['-p', 'tsconfig.build.json', '--outDir', join(OUT, 'cjs')],
      ...['--declaration', 'false', '--declarationMap', 'false', '--sourceMap', 'false'],
    ],
    { cwd: ROOT },
  );
  await run(process.execPath, [join(ROOT, 'scripts', 'build-esm.mjs'), OUT], { cwd: ROOT });

  dynamo = await startDynalite();
  const tableName = await createSessionTable(dynamo.client);
  const { stdout } = await run(process.execPath, [join(__dirname, 'dual-package.check.mjs'), OUT], {
    env: {
      ...process.env,
      CHECK_TABLE_NAME: tableName,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    },
  });
  report = JSON.parse(stdout) as Report;
}, 180_000); // two builds on a shared machine

afterAll(() => dynamo?.close());

it('applies configureSessions() through either build to the handlers of the other, middy included', () => {
  expect(report.config).toEqual({
    'cjs->esm': { data: 'by esm', ttl: 60 },
    'esm->cjs': { data: 'by cjs', ttl: 60 },
  });
  expect(report.middy).toEqual({ data: 'by middy', ttl: 90 });
});

it('stores the fingerprint of the validation rules a write passed, from either build in plain Node', () => {
  expect(report.validatedRules).toEqual({ cjs: 22, esm: 22 });
});

it('builds one store, one client, for the table the environment names, whichever build asks', () => {
  expect(report.environment).toEqual({ bodies: ['1', '2', '3'], clientsBuilt: 1 });
});

it("lets getSessionData() and setSessionData() of either build reach a session the other's handler opened", () => {
  expect(report.scope).toEqual({
    'cjs->esm': { isNew: 'true', data: { set: 'esm', seen: null } },
    'esm->cjs': { isNew: 'true', data: { set: 'cjs', seen: null } },
  });
});

it("reads the parameter decorators of either build from the other's @Session()", () => {
  // [hydrated into the class, value, the lifecycle handle injected] on two calls of one session
  const twoCalls = [
    [true, 1, 'function'],
    [true, 2, 'function'],
  ];
  expect(report.decorators).toEqual({ 'cjs->esm': twoCalls, 'esm->cjs': twoCalls });
});

it('answers instanceof across the builds as within one, for every error class', () => {
  expect(report.errors.names).toEqual(ERROR_CLASS_NAMES);
  expect(report.errors.mismatches).toEqual([]);
  // Each class is itself and a SessionError; SessionStoreNotSetError is a SessionConfigurationError too,
  // SessionNewerSchemaError a SessionValidationError, and SessionWriteUnknownError a SessionStoreUnavailableError.
  expect(report.errors.acrossBuilds).toBe(2 * (13 + 12 + 1 + 1 + 1));
  expect(report.errors.strangers).toBe(0);
});

it("recognises a user's subclass by its library ancestor, and keeps instanceof of the subclass itself plain", () => {
  expect(report.errors.subclasses).toEqual({
    'RetryLater instanceof esm.SessionConflictError': true,
    'RetryLater instanceof esm.SessionError': true,
    'RetryLater instanceof esm.SessionTooLargeError': false,
    'esm.SessionConflictError instanceof RetryLater': false,
    'cjs.SessionError instanceof Custom': false,
    'Custom instanceof cjs.SessionError': true,
  });
});

it("retries a conflict raised by the other build's store, from the winner it recorded, without a second read", () => {
  // Reads: the outer invocation's first run, the rival's; the retry starts from what the failed write returned.
  const retried = { runs: 2, loads: 2, data: ['first', 'rival', 'outer'] };
  expect(report.conflict).toEqual({ 'cjs->esm': retried, 'esm->cjs': retried });
});

it.each([
  ['CommonJS', join(OUT, 'cjs', 'index.js')],
  ['ES module', join(OUT, 'esm', 'index.mjs')],
])(
  'the %s build: plain JSON data and a Standard Schema load neither class-validator nor class-transformer; a session class loads them',
  async (_build, entry) => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'scripts', 'count-modules.cjs'), entry], {
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    expect(stdout).toMatch(
      /^memory store, plain JSON: \d+ modules, \d+ of them the AWS SDK's, 0 of them class-validator's, 0 of them class-transformer's/m,
    );
    expect(stdout).toMatch(
      /^then a Standard Schema \(valibot\): \d+ modules, \d+ of them the AWS SDK's, 0 of them class-validator's, 0 of them class-transformer's/m,
    );
    expect(stdout).toMatch(
      /^then a session class: \d+ modules, \d+ of them the AWS SDK's, [1-9]\d* of them class-validator's, [1-9]\d* of them class-transformer's/m,
    );
  },
);

it.each([
  ['CommonJS', join(OUT, 'cjs', 'index.js')],
  ['ES module', join(OUT, 'esm', 'index.mjs')],
])(
  'the %s build loads no AWS SDK module for an app on another store; a DynamoDB store loads it',
  async (_build, entry) => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'scripts', 'count-modules.cjs'), entry], {
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    expect(stdout).toMatch(/^memory store, plain JSON: \d+ modules, 0 of them the AWS SDK's/m);
    expect(stdout).toMatch(/^then a Standard Schema \(valibot\): \d+ modules, 0 of them the AWS SDK's/m);
    expect(stdout).toMatch(/^then a session class: \d+ modules, 0 of them the AWS SDK's/m);
    expect(stdout).toMatch(/^then a DynamoDB store: \d+ modules, [1-9]\d* of them the AWS SDK's/m);
  },
  60_000, // a child process that loads class-validator and the SDK: room for two busy cores, not a timing
);

/** What esbuild keeps of the ES module build for a handler that imports only `names` (minified, as CDK does). */
async function bundled(names: string[]): Promise<string> {
  const entry = join(OUT, `uses-${names.join('-')}.mjs`);
  writeFileSync(
    entry,
    `import { ${names.join(', ')} } from './esm/index.mjs';\nconsole.log(${names.join(', ')});\n`,
  );
  const { outputFiles } = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
  });
  return outputFiles[0]!.text;
}

it('leaves out of a bundle the error classes, option rules and state a handler never refers to', async () => {
  const errorOnly = await bundled(['SessionError']);
  expect(errorOnly).toContain('"SessionError"');
  expect(errorOnly).not.toContain('SessionWriteUnknownError'); // kept by a naming loop after the classes
  expect(errorOnly).not.toContain('SessionConflictError'); // kept by a static block

  const hashOnly = await bundled(['hashSessionId']);
  expect(hashOnly).not.toContain('must be a whole number'); // the option rules, built by calls
  expect(hashOnly).not.toMatch(/config\.v1|session-scope\.v1|session-parameters\.v1/); // processState() calls
  expect(hashOnly).not.toContain('BROTLI'); // dynamodb-item.ts's options object
  expect(hashOnly).not.toContain('npx lambda-sessions secret'); // secret.ts, kept by a Map.set() statement
});
