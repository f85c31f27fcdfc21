// Bundled the way CDK's NodejsFunction does it (esbuild, CommonJS, node20, @aws-sdk external): no decorator
// metadata exists in the bundle. Each bundle runs in its own node process, against dynalite in this one.
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { useSessionTable } from '../support/dynalite';

const ROOT = join(__dirname, '..', '..');
const OUT = join(ROOT, 'build', 'esbuild'); // inside the repo, so `@aws-sdk/*` resolves from node_modules
const run = promisify(execFile);
const local = useSessionTable();

async function bundle(entry: string): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const outfile = join(OUT, entry.replace(/\.ts$/, '.js'));
  await build({
    entryPoints: [join(ROOT, 'samples', 'esbuild', entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    external: ['@aws-sdk/*'],
    logLevel: 'silent',
  });
  return outfile;
}

/** Loads a bundle in a fresh node process as the Lambda runtime would, and calls its handler in sequence. */
function invoke(bundlePath: string, events: unknown[]) {
  const script = `
    const { handler } = require(${JSON.stringify(bundlePath)});
    (async () => {
      const out = [];
      let id;
      for (const event of ${JSON.stringify(events)}) {
        const response = await handler(id ? { ...event, headers: { 'session-id': id } } : event, {});
        id = response.headers['session-id'];
        out.push(JSON.parse(response.body));
      }
      console.log(JSON.stringify(out));
    })().catch((e) => { console.error(e.name + ': ' + e.message); process.exit(1); });`;
  return run(process.execPath, ['-e', script], {
    env: {
      ...process.env,
      SESSION_LAMBDA_DYNAMODB_TABLE_NAME: local.tableName,
      AWS_ENDPOINT_URL_DYNAMODB: local.dynamo.endpoint,
    },
  });
}

it('runs the bundled handler that names its session class, and the session persists', async () => {
  const bundlePath = await bundle('handler.ts');
  const { stdout } = await invoke(bundlePath, [
    { version: '2.0', rawPath: '/apple', headers: {} },
    { version: '2.0', rawPath: '/pear', headers: {} },
    { version: '2.0', rawPath: '/apple', headers: {} },
  ]);
  expect(JSON.parse(stdout)).toEqual([
    { lines: 1, total: 100 },
    { lines: 2, total: 200 },
    { lines: 2, total: 300 },
  ]);
}, 60_000); // a child process on a bundle: room for two busy cores, not a timing

it('fails as the bundle loads, with SessionMetadataError, when the class is not named', async () => {
  const bundlePath = await bundle('handler-without-class.ts');
  const failure = await run(process.execPath, ['-e', `require(${JSON.stringify(bundlePath)})`]).catch(
    (error: { code: number; stderr: string }) => error,
  );
  expect((failure as { code: number }).code).not.toBe(0);
  // Minified: the class is renamed; the method and the error's name are not.
  expect((failure as { stderr: string }).stderr).toMatch(
    /SessionMetadataError: \w+\.handle: .*@SessionData\(YourClass\)/,
  );
}, 60_000); // a child process on a bundle: room for two busy cores, not a timing
