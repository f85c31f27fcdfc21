// What our first invocation costs the user's own code in the same process: a raw handler (no library, a few
// awaits, JSON in and out) timed before and after one invocation of ours, each variant in a process of its
// own (promise hooks, once on, stay on for the whole process). Variants: nothing of ours in between (the
// drift), a @Session() method (no AsyncLocalStorage), the same with ambient: true (an AsyncLocalStorage scope,
// as every @Session() method had before 0.2), and withSession() (which keeps one: getSessionData() is its
// API). The variants' processes are interleaved, round after round, so the machine's noise falls on each alike.
// Run: npx tsc -p tsconfig.samples.json && node build/bench/hooks-cost.js [rounds] [invocations per batch]
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { IsInt, IsOptional } from 'class-validator';
import {
  configureSessions,
  lambdaHandler,
  MemorySessionStore,
  Session,
  SessionData,
  withSession,
} from '../src';
import { fmt, median, microsSince } from './stats';

const VARIANTS = ['none', 'decorator', 'decorator-ambient', 'withSession'] as const;
type Variant = (typeof VARIANTS)[number];

class Counter {
  @IsOptional() @IsInt() value?: number;
}

/** The user's own handler: no library, what a small handler does (parse, two awaited lookups, respond). */
const table = new Map<string, { n: number }>([['k', { n: 1 }]]);
const lookup = async (key: string) => table.get(key);
async function rawHandler(event: { body: string }): Promise<{ statusCode: number; body: string }> {
  const input = JSON.parse(event.body) as { key: string };
  const first = await lookup(input.key);
  const second = await lookup(input.key);
  await Promise.all([lookup('a'), lookup('b')]);
  return { statusCode: 200, body: JSON.stringify({ n: (first?.n ?? 0) + (second?.n ?? 0) }) };
}

/** Median µs and CPU µs per raw invocation over `batches` batches of `count`. */
async function timeRaw(count: number, batches: number): Promise<{ wall: number; cpu: number }> {
  const event = { body: '{"key":"k"}' };
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let b = 0; b < batches; b++) {
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (let i = 0; i < count; i++) await rawHandler(event);
    wall.push(microsSince(start) / count);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / count);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

async function ours(variant: Variant): Promise<void> {
  configureSessions({ store: new MemorySessionStore() });
  const event = { headers: {} };
  if (variant === 'none') return;
  if (variant === 'withSession') {
    await withSession(async () => ({ statusCode: 200, headers: {} }), { type: Counter })(event);
    return;
  }
  const ambient = variant === 'decorator-ambient';
  class Handler {
    @Session({ update: true, ambient })
    async handle(_event: unknown, @SessionData(Counter) counter: Counter) {
      counter.value = (counter.value ?? 0) + 1;
      return { statusCode: 200, headers: {} };
    }
  }
  await lambdaHandler(new Handler(), 'handle')(event, {} as never);
}

async function child(variant: Variant, count: number): Promise<void> {
  await timeRaw(count, 5); // warm up: the JIT's work falls here, not in "before"
  const before = await timeRaw(count, 7);
  await ours(variant);
  const after = await timeRaw(count, 7);
  process.stdout.write(JSON.stringify({ before, after }));
}

function parent(rounds: number, count: number): void {
  const runs = new Map<Variant, { wall: number[]; cpu: number[]; before: number[] }>(
    VARIANTS.map((v) => [v, { wall: [], cpu: [], before: [] }]),
  );
  for (let r = 0; r < rounds; r++) {
    const order = [...VARIANTS].sort(() => Math.random() - 0.5);
    for (const variant of order) {
      const out = spawnSync(process.execPath, [__filename, 'child', variant, String(count)], {
        encoding: 'utf8',
      });
      if (out.status !== 0) throw new Error(`${variant}: ${out.stderr}`);
      const { before, after } = JSON.parse(out.stdout) as Record<
        'before' | 'after',
        { wall: number; cpu: number }
      >;
      const run = runs.get(variant)!;
      run.wall.push(after.wall / before.wall);
      run.cpu.push(after.cpu / before.cpu);
      run.before.push(before.wall);
    }
  }
  const range = (xs: number[], digits = 3) =>
    `${fmt(Math.min(...xs), digits)} / ${fmt(median(xs), digits)} / ${fmt(Math.max(...xs), digits)}`;
  console.log(`Node ${process.version}, ${rounds} processes per variant, ${count} raw invocations per batch`);
  console.log(
    '| between the two timings | raw µs before (min/med/max) | after / before, wall | after / before, CPU |',
  );
  console.log('| --- | ---: | ---: | ---: |');
  for (const [variant, run] of runs) {
    console.log(`| ${variant} | ${range(run.before, 2)} | ${range(run.wall)} | ${range(run.cpu)} |`);
  }
}

const [mode, variant, count] = process.argv.slice(2);
if (mode === 'child') void child(variant as Variant, Number(count));
else parent(Number(mode ?? 5), Number(variant ?? 20000));
