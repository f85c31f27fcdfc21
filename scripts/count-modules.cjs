// Counts the modules that loading the built library and one memory-store invocation on plain JSON data load, then
// those two on a valibot schema add, then those one on a session class adds, then those a DynamoDB store adds
// when it is made (and, for the ES module build, whose store imports the SDK, at its first request):
// node scripts/count-modules.cjs [dist/cjs/index.js | dist/esm/index.mjs]. An app on another store must load no
// AWS SDK module, and one on plain JSON data or a Standard Schema neither class-validator nor class-transformer
// nor reflect-metadata.
// CommonJS modules are counted from require.cache (which holds those an ES module imports too), ES modules with
// a load hook that writes each URL to a file before the module runs.
const Module = require('node:module');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const os = require('node:os');

const entry = path.resolve(process.argv[2] ?? 'dist/cjs/index.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'count-modules-'));
const esmLog = path.join(dir, 'esm.log');
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
Module.register(
  'data:text/javascript,' +
    encodeURIComponent(
      `import { appendFileSync } from 'node:fs';
       export async function load(url, context, next) {
         const loaded = await next(url, context);
         if (loaded.format === 'module') appendFileSync(${JSON.stringify(esmLog)}, url + '\\n');
         return loaded;
       }`,
    ),
);

const PACKAGES = {
  "the AWS SDK's": /[\\/]node_modules[\\/]@(aws-sdk|smithy)[\\/]/,
  "class-validator's": /[\\/]node_modules[\\/](class-validator|validator|libphonenumber-js)[\\/]/,
  "class-transformer's": /[\\/]node_modules[\\/]class-transformer[\\/]/,
  "reflect-metadata's": /[\\/]node_modules[\\/]reflect-metadata[\\/]/,
};
const count = (label) => {
  let esm = [];
  try {
    esm = readFileSync(esmLog, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((url) => new URL(url).pathname);
  } catch {
    // no ES module loaded yet
  }
  const files = [...new Set([...Object.keys(require.cache), ...esm])].filter((f) => path.isAbsolute(f));
  const parts = Object.entries(PACKAGES).map(
    ([name, pattern]) => `${files.filter((file) => pattern.test(file)).length} of them ${name}`,
  );
  console.log(`${label}: ${files.length} modules, ${parts.join(', ')}`);
};

(async () => {
  const lib = entry.endsWith('.mjs') ? await import(pathToFileURL(entry).href) : require(entry);
  lib.configureSessions({ store: new lib.MemorySessionStore() });
  const event = { headers: {} };
  await lib.withSession(async () => ({ statusCode: 200, headers: {} }))(event, {});
  count('memory store, plain JSON');
  const v = require('valibot');
  const schema = v.object({ n: v.optional(v.number(), 0) });
  const increment = lib.withSession(
    async () => {
      lib.setSessionData({ n: lib.getSessionData().n + 1 });
      return { statusCode: 200, headers: {} };
    },
    { schema, update: true },
  );
  const { headers } = await increment(event, {});
  await increment({ headers: { 'session-id': headers['session-id'] } }, {}); // a load and a write
  count('then a Standard Schema (valibot)');
  const { IsInt } = require('class-validator');
  class Counter {
    value = 0;
  }
  IsInt()(Counter.prototype, 'value');
  await lib.withSession(async () => ({ statusCode: 200, headers: {} }), { type: Counter })(event, {});
  count('then a session class');
  const store = new lib.DynamoDBSessionStore({ tableName: 'sessions', region: 'us-east-1' });
  // The ES module build's store imports the SDK when it is made and waits for it at its first request: one that
  // is cancelled before it is sent (the CommonJS build's store has loaded the SDK already).
  await store.load('none', { signal: globalThis.AbortSignal.abort() }).catch(() => undefined);
  count('then a DynamoDB store');
})();
