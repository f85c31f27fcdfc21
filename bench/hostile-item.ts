// What one hostile stored item costs the request that reads it: time, and the peak memory of the process. Each
// case runs in a fresh `node` process (so that peak RSS is that case's alone): dynalite in that process, one
// item put with the raw SDK, then one request of the sample cart handler (`update: true`) naming its id.
// Run: npx tsc -p tsconfig.samples.json && node build/bench/hostile-item.js
import 'reflect-metadata';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AddressInfo } from 'node:net';
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import { DynamoDBSessionStore, getSessionData, hashSessionId, withSession } from '../src';
import { generateSessionId } from '../src/session-id';
import { Cart } from '../samples/cart/cart';

/** The hostile values, as the `value` attribute of the item. */
const CASES: Record<string, () => Uint8Array | string> = {
  'tiny, legitimate (the baseline)': () => '{"items":[]}',
  'brotli bomb: 300 MB of JSON': () => brotli(`{"items":[${' '.repeat(300 * 2 ** 20)}]}`),
  '3 MB JSON cart (100k lines)': () => {
    const line = '{"sku":"apple","qty":1,"price":100}';
    const lines = Math.floor((3 * 2 ** 20) / (line.length + 1));
    return brotli(`{"items":[${Array(lines).fill(line).join(',')}]}`);
  },
  '1e6-deep nested JSON array (2 MB)': () => brotli(`{"items":${'['.repeat(1e6)}${']'.repeat(1e6)}}`),
  '150k-deep nested JSON object (0.9 MB)': () =>
    brotli(`{"items":[],"x":${'{"a":'.repeat(150_000)}1${'}'.repeat(150_000)}}`),
};

/** JSON as the DynamoDB store stores it above `compressAbove`: a marker byte, then brotli. */
function brotli(json: string): Uint8Array {
  const compressed = brotliCompressSync(json, {
    params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: json.length },
  });
  return Buffer.concat([Buffer.of(1), compressed]);
}

const MB = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

/** One case, in this process, on the item value in `file` (built by the parent): prints one JSON line. */
async function child(file: string, text: boolean): Promise<void> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const TableName = 'hostile';
  await client.send(
    new CreateTableCommand({
      TableName,
      KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const bytes = readFileSync(file);
  const value = text ? bytes.toString('utf8') : new Uint8Array(bytes);
  const id = generateSessionId();
  const now = Date.now();
  await client.send(
    new PutItemCommand({
      TableName,
      Item: {
        key: { S: hashSessionId(id) },
        value: typeof value === 'string' ? { S: value } : { B: value },
        createdAt: { N: String(now) },
        updatedAt: { N: String(now) },
        version: { N: '1' },
      },
    }),
  );
  const stored = typeof value === 'string' ? Buffer.byteLength(value) : value.length;
  const store = new DynamoDBSessionStore({ tableName: TableName, client });
  const handler = withSession(
    async (_event: unknown) => ({ statusCode: 200, body: String(getSessionData<Cart>().items.length) }),
    { type: Cart, store, update: true },
  );
  global.gc?.();
  const before = process.memoryUsage().rss;
  const start = process.hrtime.bigint();
  let outcome: string;
  try {
    const response = await handler({ headers: { 'session-id': id } });
    outcome = `answered ${response.statusCode}`;
  } catch (error) {
    outcome = (error as Error).name;
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ stored, outcome, ms, before, peak }));
  client.destroy();
  server.close();
}

/** Writes each case's item value to a file in `dir`: `<n>.text` or `<n>.binary`. */
function generate(dir: string): void {
  Object.values(CASES).forEach((make, n) => {
    const value = make();
    writeFileSync(join(dir, `${n}.${typeof value === 'string' ? 'text' : 'binary'}`), value);
  });
}

function parent(): void {
  console.log(`Node ${process.version}; one request per case, each in its own process\n`);
  console.log('| stored item | as | stored bytes | outcome | ms | RSS before MB | peak RSS MB |');
  console.log('| --- | --- | ---: | --- | ---: | ---: | ---: |');
  const dir = mkdtempSync(join(tmpdir(), 'hostile-item-'));
  // The values are built in a process of their own: a child's peak RSS counts its parent's at the fork, and
  // building a 300 MB text would be counted in every case.
  run(['generate', dir]);
  const files = readdirSync(dir);
  Object.keys(CASES).forEach((name, n) => {
    const file = files.find((f) => f.startsWith(`${n}.`))!;
    const kind = file.endsWith('.text') ? 'text' : 'binary';
    const out = run([join(dir, file), kind]);
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as {
      stored: number;
      outcome: string;
      ms: number;
      before: number;
      peak: number;
    };
    console.log(
      `| ${name} | ${kind === 'text' ? 'text' : 'brotli'} | ${r.stored} | ${r.outcome} | ${r.ms.toFixed(0)} | ${MB(r.before)} | ${MB(r.peak)} |`,
    );
  });
  rmSync(dir, { recursive: true });
}

function run(args: string[]): string {
  return execFileSync(process.execPath, ['--expose-gc', __filename, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 2 ** 20,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
}

if (process.argv[2] === 'generate') generate(process.argv[3]!);
else if (process.argv[2]) void child(process.argv[2], process.argv[3] === 'text');
else parent();
