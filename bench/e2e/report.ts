// Sections 2 and 4 of BENCHMARKS.md: our decorator handler end to end against a hand-written raw handler, and
// against express-session + connect-dynamodb behind serverless-http, each side in child processes of its own
// (bench/e2e/*-worker.ts) on the dynalite of this process.
import { type CartSize, CART_SIZES } from './cart-data';
import { brotliRatios, compareSides, range, type SideName, type SideResult, verdict } from './compare';
import { type Mode } from './side';
import { fmt, median } from '../stats';

type Say = (line?: string) => void;
const MODES: Mode[] = ['changed', 'unchanged'];
// `--quick` (a smoke test of the bench itself, not figures to quote): one child per side, two blocks.
const QUICK = process.argv.includes('--quick');
const ROUNDS = QUICK ? 1 : 3; // child processes per side and size
const BLOCKS = QUICK ? 2 : 3; // timed blocks per child and mode: 9 runs per side

/** The time target of a cart size: ≤ 1.05× raw below 100 KB, ≤ 1.15× from 100 KB on. */
function timeTarget(size: CartSize): number {
  const shape: { lines: number } | { bytes: number } = CART_SIZES[size];
  return 'bytes' in shape && shape.bytes >= 100 * 1024 ? 1.15 : 1.05;
}
/** The allocation target, for the cart (5 lines): ≤ 1.2× raw. */
const allocationTarget = (size: CartSize) => (size === 'cart, 5 lines' ? 1.2 : undefined);

const kb = (bytes: number) => fmt(bytes / 1024, 1);
const ops = (r: SideResult, mode: Mode) => `${r.requests[mode].join(' + ')} (${r.capacity[mode]})`;

function timeRows(size: CartSize, a: SideResult, b: SideResult, target: number | undefined): string[] {
  return MODES.map((mode) => {
    const ratio = median(b.runs[mode]) / median(a.runs[mode]);
    return `| ${size} | ${mode} | ${range(a.runs[mode])} | ${range(b.runs[mode])} | **${fmt(ratio, 3)}** | ${verdict(ratio, target)} |`;
  });
}

function allocationRows(size: CartSize, a: SideResult, b: SideResult, target: number | undefined): string[] {
  return MODES.map((mode) => {
    const ratio = median(b.bytes[mode]) / median(a.bytes[mode]);
    return `| ${size} | ${mode} | ${ops(a, mode)} | ${ops(b, mode)} | ${kb(median(a.bytes[mode]))} | ${kb(median(b.bytes[mode]))} | ${fmt(ratio, 3)} | ${verdict(ratio, target)} |`;
  });
}

export async function fairEndToEnd(say: Say, endpoint: string, table: string): Promise<void> {
  say('## 2. End to end on dynalite: our decorator handler against a hand-written raw handler');
  say();
  say(
    'Both handle the same API Gateway v2 event (the fixture `apigw-http-v2.json`; `GET /cart` unchanged, `PUT /cart/lines` ' +
      "setting one line's quantity, changed) on the same seeded cart: the raw one does GetItem (DocumentClient, strongly " +
      'consistent), `plainToInstance` + `validate()` of the cart, the change (its body validated too), and a PutItem ' +
      'conditional on the version read, skipped when the JSON is unchanged (`bench/e2e/raw-worker.ts`); ours is ' +
      '`@Session({ update: true })` + `@SessionData(Cart)` (`bench/e2e/ours-worker.ts`, no `ambient`, so no ' +
      "AsyncLocalStorage). Each side runs in its own child processes, never loading the other's code, " +
      `${ROUNDS} per side and size, alternating raw / ours / ours / raw; each warms up, then times ${BLOCKS} blocks per ` +
      "mode. A run is one block's median ms per invocation; the figures are min / median / max over the " +
      `${ROUNDS * BLOCKS} runs, the ratio ours / raw at the median.`,
  );
  say();
  const results = new Map<CartSize, Record<SideName, SideResult>>();
  for (const size of Object.keys(CART_SIZES) as CartSize[]) {
    results.set(
      size,
      await compareSides(['raw', 'ours'], size, {
        endpoint,
        tables: { raw: table, ours: table, connect: table },
        rounds: ROUNDS,
        blocks: BLOCKS,
      }),
    );
  }
  say(
    '| cart | invocation | raw ms (min / median / max) | ours ms (min / median / max) | ours / raw | target |',
  );
  say('| --- | --- | ---: | ---: | ---: | --- |');
  for (const [size, r] of results)
    for (const row of timeRows(size, r.raw, r.ours, timeTarget(size))) say(row);
  say();
  say(
    'Requests (capacity units) of one invocation, and KB allocated on the V8 heap per invocation (median over the ' +
      'child processes; the whole process: handler, SDK, HTTP; see Reading the figures):',
  );
  say();
  say(
    '| cart | invocation | raw requests (units) | ours requests (units) | raw KB | ours KB | ours / raw | target |',
  );
  say('| --- | --- | --- | --- | ---: | ---: | ---: | --- |');
  for (const [size, r] of results)
    for (const row of allocationRows(size, r.raw, r.ours, allocationTarget(size))) say(row);
  say();
  say(
    'The carts (seeded generator, `bench/e2e/cart-data.ts`: varied names, brands, skus, prices, options, image URLs):',
  );
  say();
  say(
    '| cart | lines | JSON bytes | brotli ratio, quality 5 (ours) / 11 | raw stores (text) B | ours stores B |',
  );
  say('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [size, r] of results) {
    const b = brotliRatios(size);
    say(
      `| ${size} | ${b.lines} | ${b.json.toLocaleString('en')} | ${fmt(b.q5, 2)} / ${fmt(b.q11, 2)} | ${r.raw.storedBytes.toLocaleString('en')} | ${r.ours.storedBytes.toLocaleString('en')} |`,
    );
  }
  say();
}

export async function againstConnect(
  say: Say,
  endpoint: string,
  tables: { ours: string; connect: string },
): Promise<void> {
  say('## 4. Against express-session + connect-dynamodb behind serverless-http, end to end');
  say();
  say(
    'serverless-http + express 5 + express-session (`resave: false`, `saveUninitialized: false`, a signed Secure cookie) ' +
      '+ connect-dynamodb 3 (`bench/e2e/connect-worker.ts`), against our decorator handler with the id in a cookie too, ' +
      'on the same events, carts and dynalite; both hydrate with `plainToInstance` and validate with class-validator. ' +
      `Child processes per side as in section 2 (${ROUNDS} per side and size, ${BLOCKS} blocks per mode); ms per invocation, ` +
      'min / median / max over the runs:',
  );
  say();
  const sizes: CartSize[] = ['cart, 5 lines', '100 KB'];
  const results = new Map<CartSize, Record<SideName, SideResult>>();
  for (const size of sizes) {
    results.set(
      size,
      await compareSides(['connect', 'ours'], size, {
        endpoint,
        tables: { raw: tables.ours, ours: tables.ours, connect: tables.connect },
        rounds: ROUNDS,
        blocks: BLOCKS,
        cookie: true,
      }),
    );
  }
  say('| cart | invocation | express + connect-dynamodb ms | ours ms | ours / express | target |');
  say('| --- | --- | ---: | ---: | ---: | --- |');
  for (const [size, r] of results) for (const row of timeRows(size, r.connect, r.ours, undefined)) say(row);
  say();
  say(
    '| cart | invocation | express requests (units) | ours requests (units) | express KB | ours KB | ours / express | target |',
  );
  say('| --- | --- | --- | --- | ---: | ---: | ---: | --- |');
  for (const [size, r] of results)
    for (const row of allocationRows(size, r.connect, r.ours, undefined)) say(row);
  say();
  const big = results.get('100 KB')!;
  say(
    `Stored bytes of the 100 KB cart: connect-dynamodb ${big.connect.storedBytes.toLocaleString('en')} (JSON text, and its ` +
      `PutItem is unconditional: a lost update when two requests race), ours ${big.ours.storedBytes.toLocaleString('en')} ` +
      '(brotli, every write conditional on the version read).',
  );
  say();
}
