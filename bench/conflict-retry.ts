// How well `onConflict: 'retry'` copes with many concurrent requests on one session, with the library's
// default retry settings: batches of 10, 50 and 200 concurrent increments of one counter, each handler awaiting
// 0–5 ms (a handler that does some work), against dynalite in this process. Per batch: were all increments
// acknowledged; per increment: was it, and how many retries it took; whether the stored count is below the
// increments acknowledged (a lost update). A write whose outcome is unknown (SessionWriteUnknownError: its time
// budget ran out, dynalite queueing it) may land and count without being acknowledged. Every invocation gets a
// Lambda context whose remaining time runs out `--lambda-timeout-ms` after it started (default 15 min, as the
// specs' fake context: no limit in practice).
// Run: npm run bench:retry -- [--batches 20] [--ways 10,50,200] [--lambda-timeout-ms 900000] [--retries N]
//   [--store-timeout-ms N]
// (`--retries` and `--store-timeout-ms` override conflictRetries and storeTimeoutMs; without them the defaults
// are measured. A longer store budget keeps dynalite's queue on a busy machine from turning into time-outs.)
import 'reflect-metadata';
import { IsInt, Min } from 'class-validator';
import {
  configureSessions,
  DynamoDBSessionStore,
  hashSessionId,
  lambdaHandler,
  Session,
  SessionData,
  type SessionLogger,
  type SessionOptions,
  SESSION_DEFAULTS,
} from '../src';
import { fakeContext } from '../spec/support/lambda';
import { guardedClient } from './local-dynamo';
import { fmt, median, percentile } from './stats';

class Counter {
  @IsInt() @Min(0) count = 0;
}

type Response = { statusCode: number; headers: Record<string, string>; body: string };
type Invoke = (event: unknown) => Promise<Response>;

function counter(options: SessionOptions, lambdaTimeoutMs: number, change = true): Invoke {
  class Handler {
    @Session({ update: true, onConflict: 'retry', ...options })
    async handle(_e: unknown, @SessionData() c: Counter): Promise<Response> {
      if (change) c.count += 1;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
      return { statusCode: 200, headers: {}, body: String(c.count) };
    }
  }
  const entry = lambdaHandler(new Handler(), 'handle');
  return (event) => {
    const deadline = Date.now() + lambdaTimeoutMs;
    return entry(event, fakeContext({ getRemainingTimeInMillis: () => deadline - Date.now() }));
  };
}

function arg(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? undefined : process.argv[at + 1];
}

interface Batch {
  acknowledged: number;
  stored: number;
  ms: number;
  errors: string[];
}

/** Counts the engine's conflict retries from its debug log: how many, and the most one invocation made. */
function retryCounter(): SessionLogger & { retries: number; most: number; reset(): void } {
  const counter = {
    retries: 0,
    most: 0,
    reset() {
      counter.retries = 0;
      counter.most = 0;
    },
    debug(message: string, details?: Record<string, unknown>) {
      if (!message.includes('running the handler again')) return;
      counter.retries++;
      counter.most = Math.max(counter.most, Number(details?.attempt) + 1);
    },
    info: () => undefined,
    warn: () => undefined,
  };
  return counter;
}

async function main(): Promise<void> {
  const batches = Number(arg('batches') ?? 20);
  const ways = (arg('ways') ?? '10,50,200').split(',').map(Number);
  const lambdaTimeoutMs = Number(arg('lambda-timeout-ms') ?? 15 * 60 * 1000);
  const retries = arg('retries');
  const storeTimeout = arg('store-timeout-ms');
  const logger = retryCounter();
  const options: SessionOptions = {
    logger,
    ...(retries === undefined ? {} : { conflictRetries: Number(retries) }),
    ...(storeTimeout === undefined ? {} : { storeTimeoutMs: Number(storeTimeout) }),
  };
  const local = await guardedClient();
  try {
    const tableName = await local.createTable();
    configureSessions({ tableName, client: local.client });
    const create = counter({}, lambdaTimeoutMs, false);
    const increment = counter(options, lambdaTimeoutMs);
    const store = new DynamoDBSessionStore({ tableName, client: local.client });
    const storedCount = async (id: string) =>
      (JSON.parse((await store.load(hashSessionId(id)))!.data) as Counter).count;
    console.log(
      `conflictRetries ${options.conflictRetries ?? `${SESSION_DEFAULTS.conflictRetries} (default)`}, ` +
        `storeTimeoutMs ${options.storeTimeoutMs ?? `${SESSION_DEFAULTS.storeTimeoutMs} (default)`}, ` +
        `Lambda timeout ${lambdaTimeoutMs} ms, ${batches} batches per row, Node ${process.version}`,
    );
    console.log();
    console.log(
      '| concurrent | batches all acknowledged | increments acknowledged | lost updates | retries per increment, mean | most by one | ms per batch p50 | p90 | max | errors |',
    );
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const way of ways) {
      const results: Batch[] = [];
      logger.reset();
      for (let b = 0; b < batches; b++) {
        const id = (await create({})).headers['session-id']!;
        const event = { headers: { 'session-id': id } };
        const start = performance.now();
        const outcomes = await Promise.allSettled(Array.from({ length: way }, () => increment(event)));
        const ms = performance.now() - start;
        const errors = outcomes.flatMap((o) =>
          o.status === 'rejected' ? [(o.reason as Error).name ?? String(o.reason)] : [],
        );
        results.push({ acknowledged: way - errors.length, stored: await storedCount(id), ms, errors });
      }
      const all = results.filter((r) => r.acknowledged === way).length;
      const acked = results.reduce((n, r) => n + r.acknowledged, 0);
      const lost = results.filter((r) => r.stored < r.acknowledged).length;
      const times = results.map((r) => r.ms);
      const names = new Map<string, number>();
      for (const name of results.flatMap((r) => r.errors)) names.set(name, (names.get(name) ?? 0) + 1);
      const errors = [...names].map(([name, n]) => `${n} ${name}`).join(', ') || 'none';
      console.log(
        `| ${way} | ${all}/${batches} (${fmt((100 * all) / batches, 0)} %) | ` +
          `${acked}/${way * batches} (${fmt((100 * acked) / (way * batches), 1)} %) | ${lost} | ` +
          `${fmt(logger.retries / (way * batches), 1)} | ${logger.most} | ` +
          `${fmt(median(times), 0)} | ${fmt(percentile(times, 90), 0)} | ${fmt(Math.max(...times), 0)} | ${errors} |`,
      );
    }
  } finally {
    // Not local.close(): dynalite may still hold writes whose budget ran out, and fails on a closed database.
    local.client.destroy();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
