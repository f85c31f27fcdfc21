// What one validation pass saves (#13 part 2): an unchanged cart read through @Session() on the memory store,
// with validateOnLoad: true (the default: the stored fingerprint of the rules matches, so the load does not
// validate again) against validateOnLoad: 'always' (every load validated, as `true` did before). Each variant
// runs in a process of its own, the processes interleaved round after round in a shuffled order, so the
// machine's noise falls on each alike. Per process: a warm-up, then the median µs per invocation over timed
// batches, and the median bytes allocated per invocation (the heap's growth over one invocation; one in which
// the heap shrank, so a GC ran, is left out).
// Run: npx tsc -p tsconfig.samples.json && node --expose-gc --max-semi-space-size=128 build/bench/validate-once.js [rounds] [lines]
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { Type } from 'class-transformer';
import { IsArray, IsInt, IsString, Min, ValidateNested } from 'class-validator';
import {
  configureSessions,
  lambdaHandler,
  MemorySessionStore,
  Session,
  SessionData,
  type SessionOptions,
} from '../src';
import { fmt, median, microsSince } from './stats';

const VARIANTS = ['skip (true)', 'always'] as const;
type Variant = (typeof VARIANTS)[number];

class Line {
  @IsString() sku = '';
  @IsInt() @Min(1) qty = 1;
}
class Cart {
  @IsArray() @ValidateNested({ each: true }) @Type(() => Line) items: Line[] = [];
  @IsInt() @Min(0) visits = 0;
}

type Invoke = (event: unknown) => Promise<{ headers?: Record<string, string> }>;

function handler(options: SessionOptions, fill?: (cart: Cart) => void): Invoke {
  class Handler {
    @Session({ update: true, ...options })
    async handle(_event: unknown, @SessionData(Cart) cart: Cart) {
      fill?.(cart);
      return { statusCode: 200, headers: {}, body: String(cart.items.length) };
    }
  }
  const entry = lambdaHandler(new Handler(), 'handle');
  return (event) => entry(event, {} as never) as Promise<{ headers?: Record<string, string> }>;
}

async function child(variant: Variant, lines: number): Promise<void> {
  configureSessions({ store: new MemorySessionStore() });
  const fill = (cart: Cart) => {
    for (let i = 0; i < lines; i++)
      cart.items.push(Object.assign(new Line(), { sku: `sku-${i}-blue-xl`, qty: 1 + (i % 5) }));
  };
  const id = (await handler({}, fill)({ headers: {} })).headers!['session-id']!;
  const read = handler({ validateOnLoad: variant === 'always' ? 'always' : true });
  const event = { headers: { 'session-id': id } };
  const count = Math.max(20, Math.round(4000 / Math.max(lines, 1)));
  for (let i = 0; i < count * 5; i++) await read(event); // warm-up: the JIT's work falls here
  const micros: number[] = [];
  for (let b = 0; b < 9; b++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < count; i++) await read(event);
    micros.push(microsSince(start) / count);
  }
  const bytes: number[] = [];
  let last = process.memoryUsage().heapUsed;
  for (let i = 0; i < count * 5; i++) {
    await read(event);
    const now = process.memoryUsage().heapUsed;
    if (now >= last) bytes.push(now - last); // the heap shrank: a GC ran in this one, whose growth says nothing
    last = now;
  }
  process.stdout.write(JSON.stringify({ micros: median(micros), bytes: median(bytes) }));
}

function parent(rounds: number, lines: number): void {
  const runs = new Map(VARIANTS.map((v) => [v, { micros: [] as number[], bytes: [] as number[] }]));
  for (let r = 0; r < rounds; r++) {
    for (const variant of [...VARIANTS].sort(() => Math.random() - 0.5)) {
      const out = spawnSync(
        process.execPath,
        ['--expose-gc', '--max-semi-space-size=128', __filename, 'child', variant, String(lines)],
        {
          encoding: 'utf8',
          env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        },
      );
      if (out.status !== 0) throw new Error(`${variant}: ${out.stderr}`);
      const { micros, bytes } = JSON.parse(out.stdout) as { micros: number; bytes: number };
      runs.get(variant)!.micros.push(micros);
      runs.get(variant)!.bytes.push(bytes);
    }
  }
  const range = (xs: number[], digits = 1) =>
    `${fmt(Math.min(...xs), digits)} / ${fmt(median(xs), digits)} / ${fmt(Math.max(...xs), digits)}`;
  console.log(
    `Node ${process.version}, ${rounds} processes per variant, a cart of ${lines} lines, unchanged read`,
  );
  console.log(
    '| validateOnLoad | µs per invocation (min/med/max) | KB allocated per invocation (min/med/max) |',
  );
  console.log('| --- | ---: | ---: |');
  for (const [variant, run] of runs) {
    console.log(`| ${variant} | ${range(run.micros)} | ${range(run.bytes.map((b) => b / 1024))} |`);
  }
}

const [mode, variant, lines] = process.argv.slice(2);
if (mode === 'child') void child(variant as Variant, Number(lines));
else parent(Number(mode ?? 5), Number(variant ?? 5));
