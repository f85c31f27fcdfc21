// A bounded load run: `total` invocations over `sessions` sessions at `concurrency`, random reads and
// increments from a seeded generator, every outcome counted. Shared by the load test and the benchmark.
import { IsInt, Min } from 'class-validator';
import { lambdaHandler, Session, SessionConflictError, SessionData } from '../../src';
import { withFakeContext } from './lambda';

export class LoadCounter {
  @IsInt() @Min(0) n = 0;
}

type Response = { statusCode: number; headers: Record<string, string>; body: string };
type Invoke = (event: unknown) => Promise<Response>;

function handler(update: boolean): Invoke {
  class Handler {
    // Counts, not latency: on two shared cores a store call can wait past the 3 s default for its turn.
    @Session({ update, onConflict: 'retry', conflictRetries: 50, storeTimeoutMs: 30_000 })
    async handle(_e: unknown, @SessionData() c: LoadCounter): Promise<Response> {
      if (update) c.n += 1;
      return { statusCode: 200, headers: {}, body: String(c.n) };
    }
  }
  return withFakeContext(lambdaHandler(new Handler(), 'handle'));
}

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
export function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LoadResult {
  ids: string[];
  /** Increments each session acknowledged (the invocation returned), by session index. */
  acknowledged: number[];
  reads: number;
  conflicts: number;
  unexpected: unknown[];
  latenciesMs: number[];
  elapsedMs: number;
}

export async function runLoad(opts: {
  sessions: number;
  total: number;
  concurrency: number;
  seed: number;
}): Promise<LoadResult> {
  const increment = handler(true);
  const read = handler(false);
  const random = seeded(opts.seed);
  const ids: string[] = [];
  for (let i = 0; i < opts.sessions; i++) ids.push((await read({})).headers['session-id']!);
  const plan = Array.from({ length: opts.total }, () => ({
    session: Math.floor(random() * opts.sessions),
    write: random() < 0.6,
  }));
  const result: LoadResult = {
    ids,
    acknowledged: ids.map(() => 0),
    reads: 0,
    conflicts: 0,
    unexpected: [],
    latenciesMs: [],
    elapsedMs: 0,
  };
  let next = 0;
  const started = Date.now();
  const worker = async () => {
    while (next < plan.length) {
      const { session, write } = plan[next++]!;
      const began = process.hrtime.bigint();
      try {
        await (write ? increment : read)({ headers: { 'session-id': ids[session] } });
        if (write) result.acknowledged[session]!++;
        else result.reads++;
      } catch (error) {
        if (error instanceof SessionConflictError) result.conflicts++;
        else result.unexpected.push(error);
      }
      result.latenciesMs.push(Number(process.hrtime.bigint() - began) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  result.elapsedMs = Date.now() - started;
  return result;
}
