// One side of an end-to-end comparison, in a process of its own: the measuring loop that every worker
// (raw-worker, ours-worker, connect-worker) shares. Imports nothing of lambda-sessions.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import { type CartSize } from './cart-data';
import { watchCapacity } from '../capacity';
import { median } from '../stats';

export type Mode = 'unchanged' | 'changed';

/** What the parent asks of a worker (argv[2], JSON). */
export interface WorkerConfig {
  endpoint: string;
  table: string;
  size: CartSize;
  modes: Mode[];
  /** Invocations per timed block; one block gives one run's median. */
  perBlock: number;
  blocks: number;
  warm: number;
  /** Our side carries the id in a cookie (section 4, as express-session does) instead of the header. */
  cookie?: boolean;
}

/** What a worker prints (stdout, JSON), per mode. */
export interface ModeReport {
  /** Median µs per invocation of each timed block. */
  blockMedians: number[];
  /** Bytes allocated on the V8 heap per invocation over one more block (see bytesAllocated). */
  bytesPerInvocation: number;
  /** DynamoDB operations and consumed capacity units of one more invocation. */
  requests: string[];
  capacity: number;
}
export interface WorkerReport {
  modes: Partial<Record<Mode, ModeReport>>;
  /** JSON bytes of the session data, and bytes of the stored value (text, or brotli). */
  jsonBytes: number;
  storedBytes: number;
}

/** How a worker's handler is called: invocation `i` of `mode`; the loop checks the status. */
export interface Side {
  invoke(mode: Mode, i: number): Promise<{ statusCode?: number }>;
  /** The stored session's value, read after the blocks. */
  storedValue(): Promise<string | Uint8Array>;
  jsonBytes: number;
}

/** The client both sides use: same endpoint, same settings. Capacity is watched through its middleware. */
export function benchClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/**
 * Bytes allocated on the V8 heap while `fn` runs: the heap's growth plus what every GC in between freed,
 * from the GC profiler's heap statistics before and after each collection. Exact for the JS heap whatever the
 * GCs do (unlike the heap's growth alone, which a GC makes meaningless); Buffers' external memory is not in it.
 */
export async function bytesAllocated(fn: () => Promise<void>): Promise<number> {
  const profiler = new GCProfiler();
  profiler.start();
  const before = getHeapStatistics().used_heap_size;
  await fn();
  const after = getHeapStatistics().used_heap_size;
  const report = profiler.stop() as unknown as {
    statistics: {
      beforeGC: { heapStatistics: { usedHeapSize: number } };
      afterGC: { heapStatistics: { usedHeapSize: number } };
    }[];
  };
  const freed = report.statistics.reduce(
    (n, gc) => n + gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize,
    0,
  );
  return after - before + freed;
}

/** Warm-up, timed blocks, an allocation block and a capacity probe for each mode; the report on stdout. */
export async function runSide(config: WorkerConfig, client: DynamoDBClient, side: Side): Promise<void> {
  const report: WorkerReport = { modes: {}, jsonBytes: side.jsonBytes, storedBytes: 0 };
  let i = 0; // one count across every phase, so that each changed invocation flips the quantity again
  const call = async (mode: Mode) => {
    const response = await side.invoke(mode, i++);
    if (response.statusCode !== 200) throw new Error(`${mode}: status ${response.statusCode}`);
  };
  for (const mode of config.modes) {
    for (let w = 0; w < config.warm; w++) await call(mode);
    const blockMedians: number[] = [];
    for (let b = 0; b < config.blocks; b++) {
      const micros: number[] = [];
      for (let n = 0; n < config.perBlock; n++) {
        const start = process.hrtime.bigint();
        await call(mode);
        micros.push(Number(process.hrtime.bigint() - start) / 1000);
      }
      blockMedians.push(median(micros));
    }
    const bytes = await bytesAllocated(async () => {
      for (let n = 0; n < config.perBlock; n++) await call(mode);
    });
    const watch = watchCapacity(client);
    await call(mode);
    watch.stop();
    report.modes[mode] = {
      blockMedians,
      bytesPerInvocation: bytes / config.perBlock,
      requests: watch.seen.map((s) => s.op),
      capacity: watch.seen.reduce((n, s) => n + s.units, 0),
    };
  }
  const stored = await side.storedValue();
  report.storedBytes = typeof stored === 'string' ? Buffer.byteLength(stored) : stored.length;
  process.stdout.write(JSON.stringify(report));
}

/** A worker's entry: parse the config, build the side, run it; any failure exits non-zero with its stack. */
export function workerMain(build: (config: WorkerConfig, client: DynamoDBClient) => Promise<Side>): void {
  const config = JSON.parse(process.argv[2] ?? '') as WorkerConfig;
  const client = benchClient(config.endpoint);
  build(config, client)
    .then((side) => runSide(config, client, side))
    .then(
      () => client.destroy(),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
}
