// `npm run bench`: every figure of BENCHMARKS.md, measured side by side in one run on this machine.
// `npm run bench -- --write` also rewrites BENCHMARKS.md with the results.
import 'reflect-metadata';
import { type DynamoDBClient, CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { plainToInstance, Type } from 'class-transformer';
import { IsArray, IsInt, IsString, Min, validate, ValidateNested } from 'class-validator';
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import session from 'express-session';
import connectDynamoDB from 'connect-dynamodb';
import {
  configureSessions,
  DynamoDBSessionStore,
  hashSessionId,
  lambdaHandler,
  MemorySessionStore,
  Session,
  SessionData,
  type SessionOptions,
} from '../src';
import { fakeContext } from '../spec/support/lambda';
import { runLoad } from '../spec/support/load';
import { guardedClient } from './local-dynamo';
import { fmt, median, microsSince, percentile, timeEach } from './stats';

const ROOT = join(__dirname, '..', '..');
const lines: string[] = [];
const say = (line = '') => {
  console.log(line);
  lines.push(line);
};

class Line {
  @IsString() sku = '';
  @IsInt() @Min(1) qty = 1;
}
class Cart {
  @IsArray() @ValidateNested({ each: true }) @Type(() => Line) items: Line[] = [];
  @IsInt() @Min(0) visits = 0;
}

type Response = { statusCode: number; headers: Record<string, string>; body: string };
type Invoke = (event: unknown) => Promise<Response>;

function cartHandler(options: SessionOptions, change: (cart: Cart) => void = (c) => (c.visits += 1)): Invoke {
  class Handler {
    @Session({ update: true, ttl: 3600, ...options })
    async handle(_event: unknown, @SessionData() cart: Cart): Promise<Response> {
      change(cart);
      return { statusCode: 200, headers: {}, body: '' };
    }
  }
  const entry = lambdaHandler(new Handler(), 'handle');
  const context = fakeContext(); // one for all calls: the loop measures the library, not the fake
  return (event) => entry(event, context);
}

async function overhead(): Promise<void> {
  say('## 1. Library overhead per invocation (in-memory store)');
  say();
  const store = new MemorySessionStore();
  configureSessions({ store });
  const decorated = cartHandler({});
  const readOnly = cartHandler({ update: false });
  const id = (await decorated({})).headers['session-id']!;
  const event = { headers: { 'session-id': id } };
  const plain = async (_event: unknown) => {
    const cart = new Cart();
    cart.visits += 1;
    return { statusCode: 200, headers: {}, body: '' };
  };
  const N = 20_000;
  for (const fn of [plain, decorated, readOnly]) await timeEach(2_000, () => fn(event)); // warm-up
  const base = await timeEach(N, () => plain(event));
  const changed = await timeEach(N, () => decorated(event));
  const read = await timeEach(N, () => readOnly(event));
  say(`${N} invocations each, µs per invocation:`);
  say();
  say('| handler | p50 µs | p99 µs |');
  say('| --- | ---: | ---: |');
  say(`| undecorated | ${fmt(median(base))} | ${fmt(percentile(base, 99))} |`);
  say(
    `| @Session, changed (load, hydrate, validate, serialise, save) | ${fmt(median(changed))} | ${fmt(percentile(changed, 99))} |`,
  );
  say(`| @Session, update: false (load, hydrate) | ${fmt(median(read))} | ${fmt(percentile(read, 99))} |`);
  say();
  say(
    `Overhead at p50: ${fmt(median(changed) - median(base))} µs changed, ${fmt(median(read) - median(base))} µs read-only.`,
  );
  say();
}

async function endToEnd(client: DynamoDBClient, tableName: string): Promise<void> {
  say('## 2. End to end on dynalite: decorated handler against the raw SDK');
  say();
  configureSessions({ tableName, client });
  const decorated = cartHandler({});
  const id = (await decorated({})).headers['session-id']!;
  const event = { headers: { 'session-id': id } };
  const doc = DynamoDBDocumentClient.from(client);
  const rawKey = 'raw-' + hashSessionId(id);
  await doc.send(
    new PutCommand({
      TableName: tableName,
      Item: { key: rawKey, value: '{"items":[],"visits":0}', version: 1 },
    }),
  );
  // What a careful hand-written handler does: the same GetItem, plainToInstance, validate and conditional PutItem
  // of the same item.
  const raw = async (_event: unknown) => {
    const { Item } = await doc.send(
      new GetCommand({ TableName: tableName, Key: { key: rawKey }, ConsistentRead: true }),
    );
    const cart = plainToInstance(Cart, JSON.parse(Item!.value as string) as object);
    cart.visits += 1;
    if ((await validate(cart)).length) throw new Error('invalid');
    await doc.send(
      new PutCommand({
        TableName: tableName,
        // The same item a session needs: data, version, times and the TTL attribute.
        Item: {
          key: rawKey,
          value: JSON.stringify(cart),
          version: (Item!.version as number) + 1,
          createdAt: Item!.createdAt,
          updatedAt: Date.now(),
          ttl: Math.ceil(Date.now() / 1000) + 3600,
        },
        ConditionExpression: '#v = :v',
        ExpressionAttributeNames: { '#v': 'version' },
        ExpressionAttributeValues: { ':v': Item!.version },
      }),
    );
    return { statusCode: 200, headers: { 'session-id': id }, body: '' };
  };
  const N = 1_000;
  await timeEach(100, async () => (await decorated(event), await raw(event)));
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < N; i++) {
    // Interleaved, so that drift on this shared machine hits both alike.
    // Alternate which goes first, so neither always runs right after the other.
    for (const [fn, out] of i % 2
      ? ([
          [decorated, a],
          [raw, b],
        ] as const)
      : ([
          [raw, b],
          [decorated, a],
        ] as const)) {
      const start = process.hrtime.bigint();
      await fn(event);
      out.push(microsSince(start));
    }
  }
  say(`${N} invocations each, interleaved (GetItem + PutItem per invocation), ms:`);
  say();
  say('| handler | p50 ms | p99 ms |');
  say('| --- | ---: | ---: |');
  say(`| raw SDK | ${fmt(median(b) / 1000, 2)} | ${fmt(percentile(b, 99) / 1000, 2)} |`);
  say(`| @Session | ${fmt(median(a) / 1000, 2)} | ${fmt(percentile(a, 99) / 1000, 2)} |`);
  say();
  say(`Ratio @Session / raw at p50: **${fmt(median(a) / median(b), 3)}** (target ≤ 1.05).`);
  say();
}

async function requestsAndCapacity(client: DynamoDBClient, tableName: string): Promise<void> {
  say('## 3. DynamoDB requests and consumed capacity per invocation');
  say();
  const seen: { op: string; units: number }[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity;
      seen.push({
        op: String(context.commandName).replace(/Command$/, ''),
        units: consumed?.CapacityUnits ?? 0,
      });
      return result;
    },
    { step: 'initialize', name: 'capacity', override: true },
  );
  configureSessions({ tableName, client });
  const fresh = async () => (await cartHandler({})({})).headers['session-id']!;
  const cases: [string, Invoke, (id: string) => unknown][] = [
    ['new session', cartHandler({}), () => ({})],
    ['existing, changed', cartHandler({}), (id) => ({ headers: { 'session-id': id } })],
    [
      'existing, unchanged, between touches',
      cartHandler({}, () => {}),
      (id) => ({ headers: { 'session-id': id } }),
    ],
    [
      'read-only (update: false), between touches',
      cartHandler({ update: false }),
      (id) => ({ headers: { 'session-id': id } }),
    ],
    [
      'read-only, touch due',
      cartHandler({ update: false, touchAfter: 0 }),
      (id) => ({ headers: { 'session-id': id } }),
    ],
  ];
  say('| case | requests | capacity units |');
  say('| --- | --- | ---: |');
  for (const [label, handler, event] of cases) {
    const id = await fresh();
    seen.length = 0;
    await handler(event(id));
    say(
      `| ${label} | ${seen.map((s) => s.op).join(' + ')} (${seen.length}) | ${seen.reduce((n, s) => n + s.units, 0)} |`,
    );
  }
  client.middlewareStack.remove('capacity');
  say();
  say(
    'Writes of an item up to 1 KB cost 1 WCU; a strongly consistent read up to 4 KB costs 1 RCU (0.5 eventually consistent).',
  );
  say();
}

async function againstConnectDynamoDB(client: DynamoDBClient): Promise<void> {
  say('## 4. Against connect-dynamodb (an express-session store) on the same dynalite');
  say();
  await client.send(
    new CreateTableCommand({
      TableName: 'connect-sessions',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const ConnectStore = connectDynamoDB(session);
  const peer = new ConnectStore({ client, table: 'connect-sessions', initialized: true });
  const get = (sid: string) =>
    new Promise<unknown>((resolve, reject) =>
      peer.get(sid, (e: unknown, s: unknown) => (e ? reject(e) : resolve(s))),
    );
  const set = (sid: string, s: unknown) =>
    new Promise<void>((resolve, reject) =>
      peer.set(sid, s as session.SessionData, (e?: unknown) => (e ? reject(e) : resolve())),
    );
  const cookie = {
    originalMaxAge: 3_600_000,
    expires: new Date(Date.now() + 3_600_000),
    httpOnly: true,
    path: '/',
  };
  await set('bench', { cookie, cart: new Cart() });

  const ours = new DynamoDBSessionStore({ tableName: 'connect-sessions-ours', client });
  await client.send(
    new CreateTableCommand({
      TableName: 'connect-sessions-ours',
      KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const key = hashSessionId('x'.repeat(43));
  await ours.save(
    { key, data: '{"items":[],"visits":0}', createdAt: 1, updatedAt: 1, version: 1, expiresAt: undefined },
    undefined,
  );

  const N = 1_000;
  const peerRuns = await timeEach(N, async () => {
    const s = (await get('bench')) as { cart: Cart };
    s.cart.visits += 1;
    await set('bench', s);
  });
  const ourRuns = await timeEach(N, async () => {
    const s = (await ours.load(key))!;
    await ours.save(
      { ...s, data: s.data.replace(/\d+}$/, (n) => `${parseInt(n, 10) + 1}}`), version: s.version + 1 },
      s.version,
    );
  });
  const perSecond = (runs: number[]) => fmt(1e6 / (runs.reduce((a, b) => a + b, 0) / runs.length), 0);
  say(`${N} get+set pairs each, sequential:`);
  say();
  say('| store | get+set per second | p50 ms |');
  say('| --- | ---: | ---: |');
  say(
    `| connect-dynamodb 3 (unconditional PutItem) | ${perSecond(peerRuns)} | ${fmt(median(peerRuns) / 1000, 2)} |`,
  );
  say(
    `| lambda-sessions DynamoDBSessionStore (conditional PutItem) | ${perSecond(ourRuns)} | ${fmt(median(ourRuns) / 1000, 2)} |`,
  );
  say();
}

async function sizes(client: DynamoDBClient, tableName: string): Promise<void> {
  say('## 5. Session size: latency and stored bytes (compressible JSON)');
  say();
  configureSessions({ tableName, client });
  say('| session JSON | stored as | stored bytes | p50 ms per changed invocation |');
  say('| ---: | --- | ---: | ---: |');
  for (const bytes of [1_000, 10_000, 100_000, 1_000_000]) {
    const lines = Array.from({ length: Math.ceil(bytes / 26) }, (_, i) =>
      Object.assign(new Line(), { sku: `sku-${i % 997}`, qty: 1 + (i % 9) }),
    );
    const create = cartHandler({}, (c) => (c.items = lines));
    const id = (await create({})).headers['session-id']!;
    const bump = cartHandler({});
    const runs = await timeEach(bytes >= 1_000_000 ? 10 : 30, () => bump({ headers: { 'session-id': id } }));
    const doc = DynamoDBDocumentClient.from(client);
    const { Item } = await doc.send(
      new GetCommand({ TableName: tableName, Key: { key: hashSessionId(id) } }),
    );
    const value = Item!.value as string | Uint8Array;
    const json = JSON.stringify({ items: lines, visits: 0 }).length;
    say(
      `| ${json.toLocaleString('en')} B | ${typeof value === 'string' ? 'text' : 'brotli'} | ${(typeof value === 'string' ? Buffer.byteLength(value) : value.length).toLocaleString('en')} | ${fmt(median(runs) / 1000, 2)} |`,
    );
  }
  say();
}

async function load(client: DynamoDBClient, tableName: string): Promise<void> {
  say('## 6. Load: 2,000 invocations over 200 sessions at concurrency 32');
  say();
  configureSessions({ tableName, client });
  const result = await runLoad({ sessions: 200, total: 2_000, concurrency: 32, seed: 7 });
  const writes = result.acknowledged.reduce((a, b) => a + b, 0);
  say('60 % increments (update, conflicts retried), 40 % reads, one dynalite in this process:');
  say();
  say('| invocations/s | p50 ms | p99 ms | increments | reads | lost races left | unexpected errors |');
  say('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  say(
    `| ${fmt(2_000 / (result.elapsedMs / 1000), 0)} | ${fmt(median(result.latenciesMs), 2)} | ${fmt(percentile(result.latenciesMs, 99), 2)} | ` +
      `${writes} | ${result.reads} | ${result.conflicts} | ${result.unexpected.length} |`,
  );
  say();
}

function coldStart(): Promise<void> {
  say('## 7. Cold start: require time and bundle size');
  say();
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'ignore' });
  const deps = [
    'reflect-metadata',
    '@aws-sdk/client-dynamodb',
    '@aws-sdk/lib-dynamodb',
    'class-validator',
    'class-transformer',
    'cookie',
  ];
  // In one process: the dependencies first, then our package alone, so the figure is our own module code.
  const script =
    deps.map((m) => `require(${JSON.stringify(m)});`).join('') +
    "const t=process.hrtime.bigint();require('./dist/cjs/index.js');const own=Number(process.hrtime.bigint()-t)/1e6;" +
    'console.log(own)';
  const depsScript = `const t=process.hrtime.bigint();${deps.map((m) => `require(${JSON.stringify(m)});`).join('')}console.log(Number(process.hrtime.bigint()-t)/1e6)`;
  const run = (code: string) =>
    Array.from({ length: 15 }, () =>
      Number(execFileSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8' })),
    );
  const depsOnly = run(depsScript);
  const own = run(script);
  say('15 fresh `node` processes each, median ms to `require`:');
  say();
  say('| what | ms |');
  say('| --- | ---: |');
  say(
    `| the dependencies (AWS SDK DynamoDB clients, class-validator, class-transformer, reflect-metadata, cookie) | ${fmt(median(depsOnly), 2)} |`,
  );
  say(`| **lambda-sessions' own**, required after them | **${fmt(median(own), 2)}** (target < 5) |`);
  say();
  return build({
    entryPoints: [join(ROOT, 'samples', 'cart', 'handlers.ts')],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    write: false,
    metafile: true,
    external: ['@aws-sdk/*'], // in the Lambda runtime, as CDK's NodejsFunction leaves it
    logLevel: 'silent',
  }).then(({ metafile }) => {
    const output = Object.values(metafile.outputs)[0]!;
    const bytesOf = (test: (path: string) => boolean) =>
      Object.entries(output.inputs)
        .filter(([path]) => test(path))
        .reduce((n, [, i]) => n + i.bytesInOutput, 0);
    const own = bytesOf((p) => p.startsWith('src/'));
    const cookie = bytesOf((p) => p.includes('node_modules/cookie/'));
    say('esbuild bundle of `samples/cart/handlers.ts`, minified, `@aws-sdk/*` external (as CDK does):');
    say();
    say('| part | minified bytes |');
    say('| --- | ---: |');
    say(`| lambda-sessions' own code (src/) | **${own.toLocaleString('en')}** (target < 25,600) |`);
    say(`| cookie (our one dependency) | ${cookie.toLocaleString('en')} |`);
    say(
      `| whole bundle (with class-validator, class-transformer, reflect-metadata) | ${output.bytes.toLocaleString('en')} |`,
    );
    say();
  });
}

async function main(): Promise<void> {
  say('# Benchmarks');
  say();
  say(
    `Run with \`npm run bench\` (add \`-- --write\` to rewrite this file). Node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? 'CPU'}, ${new Date().toISOString().slice(0, 10)}.`,
  );
  say(
    'DynamoDB is dynalite in this process: absolute latencies are local, ratios and request counts carry over.',
  );
  say();
  await overhead();
  const local = await guardedClient();
  try {
    const tableName = await local.createTable();
    await endToEnd(local.client, tableName);
    await requestsAndCapacity(local.client, tableName);
    await againstConnectDynamoDB(local.client);
    await sizes(local.client, tableName);
    await load(local.client, await local.createTable());
  } finally {
    await local.close();
  }
  await coldStart();
  if (process.argv.includes('--write')) {
    // The figures of this run, then what they mean (bench/reading.md, written by hand from several runs).
    const reading = readFileSync(join(ROOT, 'bench', 'reading.md'), 'utf8');
    writeFileSync(join(ROOT, 'BENCHMARKS.md'), lines.join('\n') + '\n' + reading);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
