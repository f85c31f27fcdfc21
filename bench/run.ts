// `npm run bench`: every figure of BENCHMARKS.md, measured side by side in one run on this machine.
// `npm run bench -- --write` also rewrites BENCHMARKS.md with the results (then bench/reading.md, by hand).
// `-- --no-package` skips section 6 (bench/package-cost.mjs: npm pack, an install, fresh processes);
// `-- --quick` runs one child process per side in sections 2 and 4, to check the bench itself, not to quote.
// Sections 2 and 4 run each side in child processes of its own (bench/e2e/); takes 15-25 minutes when loaded.
import 'reflect-metadata';
import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Type } from 'class-transformer';
import { IsArray, IsInt, IsString, Min, ValidateNested } from 'class-validator';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import {
  configureSessions,
  lambdaHandler,
  MemorySessionStore,
  Session,
  SessionData,
  type SessionOptions,
} from '../src';
import { fakeContext } from '../spec/support/lambda';
import { runLoad } from '../spec/support/load';
import { againstConnect, fairEndToEnd } from './e2e/report';
import { guardedClient } from './local-dynamo';
import { watchCapacity } from './capacity';
import { fmt, median, percentile, timeEach } from './stats';

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

async function requestsAndCapacity(client: DynamoDBClient, tableName: string): Promise<void> {
  say('## 3. DynamoDB requests and consumed capacity per invocation');
  say();
  const { seen, stop } = watchCapacity(client);
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
  stop();
  say();
  say(
    'Writes of an item up to 1 KB cost 1 WCU; a strongly consistent read up to 4 KB costs 1 RCU (0.5 eventually consistent).',
  );
  say();
}

async function load(client: DynamoDBClient, tableName: string): Promise<void> {
  say('## 5. Load: 2,000 invocations over 200 sessions at concurrency 32');
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

/**
 * Cold start and bundle bytes from the packed tarball: bench/package-cost.mjs as a step (it packs, installs in
 * a fresh project and times fresh processes), its tables taken into this report. `--no-package` skips it.
 */
function packageCost(): Promise<void> {
  say('## 6. Cold start and bundle bytes, from the packed tarball');
  say();
  if (process.argv.includes('--no-package')) {
    say('Skipped (`--no-package`): run `node bench/package-cost.mjs . 9` for these figures.');
    say();
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bench', 'package-cost.mjs'), ROOT, '9'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`bench/package-cost.mjs exited with ${code}`));
      for (const line of out.trimEnd().split('\n')) say(line);
      say();
      resolve();
    });
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
  const loadAvg = () =>
    loadavg()
      .map((n) => fmt(n, 1))
      .join(' / ');
  say(
    `Load average (1 / 5 / 15 min) at the start: ${loadAvg()}. This machine is shared with other agents' builds and ` +
      'tests, so absolute times are noisy; every timed figure is min / median / max over runs.',
  );
  say();
  await overhead();
  const local = await guardedClient();
  try {
    const tableName = await local.createTable();
    const endpoint = await local.endpoint();
    await fairEndToEnd(say, endpoint, await local.createTable());
    await requestsAndCapacity(local.client, tableName);
    await againstConnect(say, endpoint, {
      ours: await local.createTable(),
      connect: await local.createTable('id'),
    });
    await load(local.client, await local.createTable());
  } finally {
    await local.close();
  }
  await packageCost();
  say(`Load average at the end: ${loadAvg()}.`);
  say();
  if (process.argv.includes('--write')) {
    // The figures of this run, then what they mean (bench/reading.md, written by hand from several runs).
    const reading = readFileSync(join(ROOT, 'bench', 'reading.md'), 'utf8');
    writeFileSync(join(ROOT, 'BENCHMARKS.md'), lines.join('\n') + '\n' + reading);
    // The tables as prettier lays them out, so that `npm run lint` passes on the written file.
    execFileSync(join(ROOT, 'node_modules', '.bin', 'prettier'), ['--write', 'BENCHMARKS.md'], { cwd: ROOT });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
