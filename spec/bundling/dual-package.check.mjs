// Loads the CommonJS build and the ES module build of lambda-sessions into this one process, as an app whose files
// reach the package both ways would, uses each through the other, and prints what it saw as one JSON report
// for spec/bundling/dual-package.dynalite.spec.ts to check. Usage: node dual-package.check.mjs <build dir>
// (<build dir>/cjs from tsc, <build dir>/esm from scripts/build-esm.mjs). CHECK_TABLE_NAME names a table on
// the dynalite at AWS_ENDPOINT_URL_DYNAMODB.
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = resolve(process.argv[2]);
const require = createRequire(import.meta.url);

// Counts the DynamoDB clients the library builds: both builds use the one AWS SDK this process loads.
const { DynamoDBDocumentClient } = require('@aws-sdk/lib-dynamodb');
const from = DynamoDBDocumentClient.from;
let clientsBuilt = 0;
DynamoDBDocumentClient.from = function (...args) {
  clientsBuilt++;
  return from.apply(this, args);
};
const { IsInt } = require('class-validator');

const cjs = require(join(dir, 'cjs', 'index.js'));
const esm = await import(pathToFileURL(join(dir, 'esm', 'index.mjs')).href);
const esmMiddy = await import(pathToFileURL(join(dir, 'esm', 'middy.mjs')).href);
const builds = { cjs, esm };
const pairs = [
  ['cjs', 'esm'],
  ['esm', 'cjs'],
];
const report = {};
/** Runs one part of the check; a part that throws reports its error, and the other parts still run. */
const part = async (name, check) => {
  try {
    report[name] = await check();
  } catch (error) {
    report[name] = { failed: String(error?.stack ?? error) };
  }
};

const event = (id) => ({ version: '2.0', rawPath: '/', headers: id ? { 'session-id': id } : {} });
const ok = (body) => ({ statusCode: 200, headers: {}, body });
const stored = async (store, id) => JSON.parse((await store.load(cjs.hashSessionId(id))).data);
// The idle timeout the item was written with, in seconds (expiresAt and updatedAt are epoch ms).
const ttlOf = async (store, id) => {
  const item = await store.load(cjs.hashSessionId(id));
  return Math.round((item.expiresAt - item.updatedAt) / 1000);
};

// configureSessions() through one build, a handler wrapped by the other.
await part('config', async () => {
  const seen = {};
  for (const [a, b] of pairs) {
    const store = new builds[a].MemorySessionStore();
    builds[a].configureSessions({ store, ttl: 60, absoluteTimeout: 0 });
    const handler = builds[b].withSession(async () => {
      builds[b].setSessionData(`by ${b}`);
      return ok();
    });
    const id = (await handler(event())).headers['session-id'];
    seen[`${a}->${b}`] = { data: await stored(store, id), ttl: await ttlOf(store, id) };
  }
  return seen;
});

// The middy entry of the ES module build, configured through the CommonJS build.
await part('middy', async () => {
  const store = new cjs.MemorySessionStore();
  cjs.configureSessions({ store, ttl: 90, absoluteTimeout: 0 });
  const middleware = esmMiddy.sessionMiddleware({ update: true });
  const request = { event: event(), context: {}, response: undefined };
  await middleware.before(request);
  request.context.session.data = 'by middy';
  request.response = ok();
  await middleware.after(request);
  const id = request.response.headers['session-id'];
  return { data: await stored(store, id), ttl: await ttlOf(store, id) };
});

// No store configured: both builds use one store for the table the environment names (one client).
await part('environment', async () => {
  // Through both builds, so that this part depends on no other: back to the environment variable, which no
  // other part sets (a store built from it is kept for the process).
  cjs.configureSessions({});
  esm.configureSessions({});
  process.env.SESSION_LAMBDA_DYNAMODB_TABLE_NAME = process.env.CHECK_TABLE_NAME;
  clientsBuilt = 0;
  const count = (b) =>
    builds[b].withSession(
      async () => {
        const n = (builds[b].getSessionData() ?? 0) + 1;
        builds[b].setSessionData(n);
        return ok(String(n));
      },
      { update: true },
    );
  const first = await count('esm')(event());
  const second = await count('cjs')(event(first.headers['session-id']));
  const third = await count('esm')(event(first.headers['session-id']));
  delete process.env.SESSION_LAMBDA_DYNAMODB_TABLE_NAME;
  return { bodies: [first.body, second.body, third.body], clientsBuilt };
});

// getSessionData() / setSessionData() / getSessionContext() of one build, in a handler wrapped by the other.
await part('scope', async () => {
  const seen = {};
  for (const [a, b] of pairs) {
    const store = new builds[a].MemorySessionStore();
    const handler = builds[a].withSession(
      async () => {
        builds[b].setSessionData({ set: b, seen: builds[b].getSessionData() ?? null });
        return ok(String(builds[b].getSessionContext().isNew));
      },
      { store },
    );
    const response = await handler(event());
    seen[`${a}->${b}`] = {
      isNew: response.body,
      data: await stored(store, response.headers['session-id']),
    };
  }
  return seen;
});

// @SessionData() and @SessionContext() of one build on a method decorated with @Session() of the other,
// applied as TypeScript's legacy decorators are: the parameters' first, then the method's.
await part('decorators', async () => {
  const seen = {};
  for (const [a, b] of pairs) {
    class Counter {
      value = 0;
    }
    IsInt()(Counter.prototype, 'value');
    class Handler {
      async handle(_event, counter, lifecycle) {
        counter.value += 1;
        return ok(JSON.stringify([counter instanceof Counter, counter.value, typeof lifecycle.regenerate]));
      }
    }
    builds[a].SessionData(Counter)(Handler.prototype, 'handle', 1);
    builds[a].SessionContext()(Handler.prototype, 'handle', 2);
    const descriptor = Object.getOwnPropertyDescriptor(Handler.prototype, 'handle');
    builds[b].Session({ update: true, store: new builds[b].MemorySessionStore() })(
      Handler.prototype,
      'handle',
      descriptor,
    );
    Object.defineProperty(Handler.prototype, 'handle', descriptor);
    const handler = new Handler();
    const first = await handler.handle(event());
    const second = await handler.handle(event(first.headers['session-id']));
    seen[`${a}->${b}`] = [JSON.parse(first.body), JSON.parse(second.body)];
  }
  return seen;
});

// instanceof, every error class of each build against every class of both: across builds it must answer as
// within one build (where it is the plain prototype-chain check).
const errorNames = Object.keys(cjs)
  .filter((name) => typeof cjs[name] === 'function' && cjs[name].prototype instanceof Error)
  .sort();
const ordinary = (type, value) => Function.prototype[Symbol.hasInstance].call(type, value);
report.errors = { names: errorNames, mismatches: [], acrossBuilds: 0 };
for (const [a, b] of pairs) {
  for (const x of errorNames) {
    const error = new builds[a][x]('m');
    for (const y of errorNames) {
      const got = error instanceof builds[b][y];
      const expected = ordinary(builds[a][y], error);
      if (got !== expected) report.errors.mismatches.push(`${a}.${x} instanceof ${b}.${y}: ${got}`);
      if (got) report.errors.acrossBuilds++;
    }
  }
}
// Not errors of the family, whatever they look like.
const strangers = [new Error('m'), { name: 'SessionError' }, Object.create(null), null, undefined, 'x', 1];
report.errors.strangers = strangers
  .flatMap((value) => errorNames.flatMap((y) => [value instanceof cjs[y], value instanceof esm[y]]))
  .filter(Boolean).length;
// A subclass of the user's own, from one build, against the classes of the other.
class RetryLater extends cjs.SessionConflictError {}
class Custom extends esm.SessionError {}
report.errors.subclasses = {
  'RetryLater instanceof esm.SessionConflictError': new RetryLater('r') instanceof esm.SessionConflictError,
  'RetryLater instanceof esm.SessionError': new RetryLater('r') instanceof esm.SessionError,
  'RetryLater instanceof esm.SessionTooLargeError': new RetryLater('r') instanceof esm.SessionTooLargeError,
  'esm.SessionConflictError instanceof RetryLater': new esm.SessionConflictError('r') instanceof RetryLater,
  'cjs.SessionError instanceof Custom': new cjs.SessionError('m') instanceof Custom,
  'Custom instanceof cjs.SessionError': new Custom('m') instanceof cjs.SessionError,
};

// The engine of one build retrying a conflict that a store of the other build raised, starting again from the
// item that won (recorded by the store's build, read by the engine's): no second read.
await part('conflict', async () => {
  const seen = {};
  for (const [a, b] of pairs) {
    const store = new builds[a].MemorySessionStore();
    let loads = 0;
    const load = store.load.bind(store);
    store.load = (...args) => {
      loads++;
      return load(...args);
    };
    const E = builds[b];
    const append = (word, options = {}) =>
      E.withSession(
        async () => {
          const words = E.getSessionData() ?? [];
          await options.meanwhile?.();
          E.setSessionData([...words, word]);
          return ok();
        },
        { store, update: true, onConflict: 'retry' },
      );
    const id = (await append('first')(event())).headers['session-id'];
    let runs = 0;
    loads = 0;
    await append('outer', {
      meanwhile: async () => {
        if (runs++ === 0) await append('rival')(event(id)); // the race, lost by the outer invocation's first run
      },
    })(event(id));
    seen[`${a}->${b}`] = { runs, loads, data: await stored(store, id) };
  }
  return seen;
});

// One validation pass: each build, in plain Node, finds class-transformer's rules and fingerprints the class's
// rules on a write (a deep import a test runner's module system would resolve more leniently than Node does).
await part('validatedRules', async () => {
  class Tally {
    value = 1;
  }
  IsInt()(Tally.prototype, 'value');
  const seen = {};
  for (const [name, build] of Object.entries(builds)) {
    const store = new build.MemorySessionStore();
    const handler = build.withSession(async () => ok(), { type: Tally, store, saveUninitialized: true });
    const id = (await handler(event())).headers['session-id'];
    seen[name] = (await store.load(cjs.hashSessionId(id))).validatedRules?.length;
  }
  return seen;
});

console.log(JSON.stringify(report));
