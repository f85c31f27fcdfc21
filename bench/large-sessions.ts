// Large sessions (#13 part 4): realistic carts of about 1, 10, 100 and 386 KB of JSON (lines with varied skus,
// names, prices and options from a seeded generator, so they compress as real carts do, not as repeated toy
// data) through the decorator path, stored as the DynamoDB store stores them (SessionItemCodec: brotli above
// 4 KB) in memory, without the SDK. Per phase, the library's own functions on the cart as the engine calls them:
// - decompress: the item's value back to JSON text (SessionItemCodec.fromItem);
// - hydrate: restore(): parse and plainToInstance, validation on load skipped (the fingerprint matches);
// - serialise: serialize(): instanceToPlain and JSON.stringify, and the unchanged check against the stored text;
// - validate: encodeForWrite(): the serialised text parsed, hydrated and validated as the next read will get it;
// - compress: the item for the write (SessionItemCodec.toItem), and the stored bytes;
// then whole invocations of a @Session({ update: true }) handler: one that changes a line (a write), one that
// changes nothing (no write). min / median / max CPU ms over the runs (each a fresh cart of the same size).
// Run: npx tsc -p tsconfig.samples.json && node build/bench/large-sessions.js [runs] [sizes in KB, e.g. 1,10,100,386]
// With `brotli` first (`node build/bench/large-sessions.js brotli [runs] [sizes]`): the carts' JSON compressed at
// brotli qualities 3 to 6, stored bytes, the write and read capacity units of an item that size, and ms to
// compress and to decompress (CPU), min / median over the runs.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { configureSessions, lambdaHandler, Session, SessionData } from '../src';
import { dataShape, encodeForWrite, restore, serialize } from '../src/data-codec';
import { validationRules } from '../src/validation-rules';
import { SessionItemCodec } from '../src/stores/dynamodb-item';
import { type SessionStore, type StoredSession } from '../src/stores/session-store';
import { brotliCompressSync, brotliDecompressSync, constants as zlib } from 'node:zlib';
import { fmt } from './stats';

class LineOption {
  @IsString() @Length(1, 32) name = '';
  @IsString() @MaxLength(64) value = '';
}

class Line {
  @IsString() @Length(1, 64) @Matches(/^[A-Z0-9-]+$/) sku = '';
  @IsString() @MaxLength(200) name = '';
  @IsInt() @Min(1) @Max(99) qty = 1;
  @IsInt() @Min(0) @Max(10_000_000) price = 0;
  @IsArray() @ArrayMaxSize(10) @ValidateNested({ each: true }) @Type(() => LineOption) options: LineOption[] =
    [];
  @IsOptional() @IsString() @MaxLength(500) note?: string;
}

class Cart {
  @IsArray() @ArrayMaxSize(5000) @ValidateNested({ each: true }) @Type(() => Line) items: Line[] = [];
  @IsIn(['EUR', 'USD', 'GBP']) currency = 'EUR';
  @IsOptional() @IsString() @MaxLength(32) coupon?: string;
  @IsInt() @Min(0) visits = 0;
}

/** mulberry32: a small seeded PRNG, so that every run of a size gets carts of the same statistics. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'linen cotton merino wool silk denim canvas leather suede nylon organic classic slim relaxed ' +
  'oversized cropped striped plain printed quilted padded waterproof packable reversible shirt trouser jacket ' +
  'coat dress skirt sweater cardigan hoodie scarf beanie glove sock boot sneaker sandal loafer belt wallet bag ' +
  'backpack tote navy olive ochre rust charcoal ivory sand teal burgundy mustard'
).split(' ');
const OPTIONS = {
  size: ['XS', 'S', 'M', 'L', 'XL', 'XXL', '38', '40', '42', '44'],
  colour: WORDS.slice(-10),
  fit: ['slim', 'regular', 'relaxed'],
  gift: ['yes'],
};

/** A cart of at least `bytes` of JSON. */
export function cart(bytes: number, seed: number): Cart {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const c = Object.assign(new Cart(), { currency: 'EUR', visits: Math.floor(r() * 100) });
  let size = 60;
  while (size < bytes) {
    const line = Object.assign(new Line(), {
      sku: `${pick(['SH', 'TR', 'JK', 'DR', 'SW', 'AC'])}-${Math.floor(r() * 1e6)
        .toString(36)
        .toUpperCase()}-${Math.floor(r() * 1e4)}`,
      name: Array.from({ length: 2 + Math.floor(r() * 4) }, () => pick(WORDS)).join(' '),
      qty: 1 + Math.floor(r() * 4),
      price: Math.floor(r() * 40_000) + 99,
      options: Object.entries(OPTIONS)
        .filter(() => r() < 0.6)
        .map(([name, values]) => Object.assign(new LineOption(), { name, value: pick(values) })),
      ...(r() < 0.15
        ? {
            note: `Deliver ${pick(['before', 'after'])} ${Math.floor(r() * 28) + 1} ${pick(['May', 'June', 'July'])}, ${pick(WORDS)} ${pick(WORDS)}`,
          }
        : {}),
    });
    c.items.push(line);
    size += JSON.stringify(line).length + 1;
  }
  return c;
}

/** The DynamoDB store's item encoding over a Map: what a DynamoDB store does to the data, without the network. */
class ItemStore implements SessionStore {
  readonly codec = new SessionItemCodec('bench', {});
  readonly items = new Map<string, Record<string, unknown>>();
  async load(key: string, o?: { maxDataBytes?: number }) {
    const item = this.items.get(key);
    return item && this.codec.fromItem(key, item, o?.maxDataBytes);
  }
  async save(session: StoredSession) {
    this.items.set(session.key, this.codec.toItem(session));
  }
  async touch() {
    return true;
  }
  async delete(key: string) {
    return this.items.delete(key) ? ('deleted' as const) : ('absent' as const);
  }
}

/** CPU ms (the process's user and system time) since `start`: a busy machine's other processes do not inflate it. */
const ms = (start: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
};
const phases = [
  'decompress',
  'hydrate',
  'serialise',
  'validate',
  'compress',
  'invocation, changed',
  'invocation, unchanged',
] as const;
type Phase = (typeof phases)[number];

async function run(kb: number, seed: number, out: Record<Phase, number[]>, stored: number[]): Promise<void> {
  const store = new ItemStore();
  configureSessions({ store });
  const shape = dataShape(Cart);
  const validation = {};
  const options = {
    version: 1,
    migrate: undefined,
    validateOnLoad: true as const,
    validation,
    logger: undefined,
    maxSessionBytes: 1 << 20,
  };
  let change = false;
  class Handler {
    @Session({ update: true, validation })
    async handle(_event: unknown, @SessionData(Cart) c: Cart) {
      if (change) c.items[0]!.qty = (c.items[0]!.qty % 9) + 1;
      c.visits += change ? 1 : 0;
      return { statusCode: 200, headers: {}, body: String(c.items.length) };
    }
  }
  const entry = lambdaHandler(new Handler(), 'handle');
  const invoke = (event: unknown) =>
    entry(event, {} as never) as Promise<{ headers?: Record<string, string> }>;

  // The cart written once through the engine (new session), so that the item is what the library stores.
  const data = cart(kb * 1024, seed);
  const first = await invoke({ headers: {} });
  const id = first.headers!['session-id']!;
  const [key] = [...store.items.keys()];
  const json0 = await serialize(shape, data);
  const rules = await validationRules(Cart, validation);
  await store.save({
    key: key!,
    data: json0,
    createdAt: Date.now(),
    updatedAt: Date.now(),
    version: 1,
    expiresAt: undefined,
    schemaVersion: 1,
    validatedRules: rules,
  });

  let t = process.cpuUsage();
  const loaded = (await store.load(key!, { maxDataBytes: 1 << 20 }))!;
  out.decompress.push(ms(t));
  t = process.cpuUsage();
  const hydrated = await restore(shape, loaded.data, 1, options, 'bench', loaded.validatedRules);
  out.hydrate.push(ms(t));
  t = process.cpuUsage();
  const json = await serialize(shape, hydrated);
  if (json !== loaded.data) throw new Error('the cart does not read back as it was written');
  out.serialise.push(ms(t));
  t = process.cpuUsage();
  await encodeForWrite(shape, hydrated, { validation, maxSessionBytes: 1 << 20 }, 'bench', json);
  out.validate.push(ms(t));
  t = process.cpuUsage();
  const item = store.codec.toItem({ ...loaded, version: 2 });
  out.compress.push(ms(t));
  const value = item.value;
  stored.push(value instanceof Uint8Array ? value.length : Buffer.byteLength(String(value)));

  const event = { headers: { 'session-id': id } };
  change = true;
  t = process.cpuUsage();
  await invoke(event);
  out['invocation, changed'].push(ms(t));
  change = false;
  t = process.cpuUsage();
  await invoke(event);
  out['invocation, unchanged'].push(ms(t));
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 5);
  const sizes = (process.argv[3] ?? '1,10,100,386').split(',').map(Number);
  console.log(
    `Node ${process.version}; ${runs} runs per size after one warm-up run; CPU ms, min / median / max`,
  );
  console.log(`| cart | JSON bytes | stored bytes | ${phases.join(' | ')} |`);
  console.log(`| ---: | ---: | ---: | ${phases.map(() => '---:').join(' | ')} |`);
  for (const kb of sizes) {
    const out = Object.fromEntries(phases.map((p) => [p, [] as number[]])) as Record<Phase, number[]>;
    const stored: number[] = [];
    await run(kb, 1, { ...out }, []); // warm-up: the JIT's work, and class-validator's first load
    for (let i = 0; i < runs; i++) await run(kb, 1 + i, out, stored);
    const range = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      const digits = s[0]! < 1 ? 2 : 1;
      return `${fmt(s[0]!, digits)} / ${fmt(s[Math.floor(s.length / 2)]!, digits)} / ${fmt(s.at(-1)!, digits)}`;
    };
    const json = JSON.stringify(cart(kb * 1024, 1)).length;
    console.log(
      `| ${kb} KB | ${json} | ${Math.min(...stored)}–${Math.max(...stored)} | ${phases.map((p) => range(out[p])).join(' | ')} |`,
    );
  }
}

/** Brotli qualities on the carts' JSON: stored bytes against CPU time, both ways. */
function brotli(runs: number, sizes: number[]): void {
  console.log(`Node ${process.version}; ${runs} runs; ms min / median`);
  console.log(
    '| cart | JSON bytes | quality | stored bytes | WCU / RCU (strong) | compress ms | decompress ms |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const kb of sizes) {
    const json = JSON.stringify(cart(kb * 1024, 1));
    for (const quality of [3, 4, 5, 6]) {
      const params = {
        [zlib.BROTLI_PARAM_QUALITY]: quality,
        [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
      };
      const compress: number[] = [];
      const decompress: number[] = [];
      let out = Buffer.alloc(0);
      for (let i = 0; i < runs; i++) {
        let t = process.cpuUsage();
        out = brotliCompressSync(json, { params });
        compress.push(ms(t));
        t = process.cpuUsage();
        brotliDecompressSync(out).toString('utf8');
        decompress.push(ms(t));
      }
      const range = (xs: number[]) => {
        const s = [...xs].sort((a, b) => a - b);
        return `${fmt(s[0]!, 2)} / ${fmt(s[Math.floor(s.length / 2)]!, 2)}`;
      };
      const item = out.length + 200; // the other attributes, about
      const units = `${Math.ceil(item / 1024)} / ${Math.ceil(item / 4096)}`;
      console.log(
        `| ${kb} KB | ${json.length} | ${quality} | ${out.length} | ${units} | ${range(compress)} | ${range(decompress)} |`,
      );
    }
  }
}

if (require.main === module) {
  if (process.argv[2] === 'brotli') {
    brotli(Number(process.argv[3] ?? 9), (process.argv[4] ?? '10,100,386').split(',').map(Number));
  } else void main();
}
