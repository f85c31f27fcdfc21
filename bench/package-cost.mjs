#!/usr/bin/env node
// What a user gets from the packed tarball: bundle bytes and cold start. Packs the repository (`npm pack`, which
// builds it), installs the tarball with its peers in a fresh project outside the repository (as
// scripts/pack-check.sh does), and
//   - bundles handlers with esbuild as CDK and SAM do (minified, node20, CJS; `@aws-sdk/*` external, as the
//     Lambda runtime provides it, and fully bundled): our `@Session()` + `@SessionData(Cart)` DynamoDB handler,
//     the equivalent hand-written raw handler (GetItem, plainToInstance, validate, conditional PutItem), and
//     one `withSession()` handler on the same cart shaped by a valibot schema (Standard Schema) or by the
//     class-validator classes; plus the earlier memory-store handlers for their bytes; and counts, from
//     esbuild's metafile, the bytes of each package's inputs;
//   - times the cold start of the DynamoDB handlers: process start to first response (`performance.now()` in
//     the handler's process, whose origin is the process start) on a changed cart invocation of a session
//     already stored, against a dynalite in this process, each run a fresh process, the variants interleaved
//     in a shuffled order per round.
// The carts are bench/e2e/cart-data.ts (copied into the project). `npm run bench` runs this as its last step;
// alone: node bench/package-cost.mjs [repository] [runs]
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // this process's own SDK client
const repo = resolve(process.argv[2] ?? '.');
const runs = Number(process.argv[3] ?? 9);
const here = resolve(new URL('..', import.meta.url).pathname);
const work = mkdtempSync(join(tmpdir(), 'package-cost-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const sh = (cmd, args, cwd = work) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

const tarball = sh('npm', ['pack', '--silent', '--pack-destination', work], repo).trim().split('\n').pop();
const version = (name) =>
  JSON.parse(readFileSync(join(here, 'node_modules', name, 'package.json'), 'utf8')).version;
sh('npm', ['init', '-y']);
sh('npm', [
  'install',
  '--no-audit',
  '--no-fund',
  '--prefer-offline',
  '--loglevel=error',
  `./${tarball}`,
  ...[
    '@aws-sdk/client-dynamodb',
    '@aws-sdk/lib-dynamodb',
    'class-validator',
    'class-transformer',
    'reflect-metadata',
    'valibot',
    'esbuild',
  ].map((name) => `${name}@${version(name)}`),
]);
copyFileSync(join(here, 'bench', 'e2e', 'cart-data.ts'), join(work, 'cart-data.ts'));

// Every DynamoDB handler answers PUT /cart/lines `{ sku, qty }` on the stored cart with its total.
const CHANGE_PARSE = `const change = JSON.parse(event.body ?? '{}');`;
const VALIBOT_CART = `import * as v from 'valibot';
const text = (max: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(max));
const int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
const Line = v.object({
  sku: v.pipe(v.string(), v.regex(/^[A-Z]{2}-\\d{5}-[A-Z0-9]{1,4}(-[A-Z0-9]{1,4})?$/)),
  name: text(120),
  brand: text(60),
  qty: int(1, 99),
  unitPrice: int(0, 10_000_000),
  options: v.array(v.object({ name: text(32), value: text(64) })),
  imageUrl: v.pipe(v.string(), v.url(), v.startsWith('https://')),
  addedAt: v.pipe(v.string(), v.isoTimestamp()),
});
const CartSchema = v.object({
  currency: v.picklist(['EUR', 'USD', 'GBP']),
  lines: v.array(Line),
  coupon: v.nullable(v.pipe(v.string(), v.maxLength(32))),
});
const Change = v.object({ sku: text(40), qty: int(1, 99) });
`;
const handlers = {
  'ours-dynamodb': `import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { configureSessions, lambdaHandler, Session, SessionData } from 'lambda-sessions';
import { applyChange, Cart, LineChange } from './cart-data';
configureSessions({ tableName: process.env.TABLE! });
class CartHandler {
  @Session({ update: true, ttl: 3600 })
  async handle(event: { body?: string }, @SessionData(Cart) cart: Cart) {
    ${CHANGE_PARSE}
    const parsed = plainToInstance(LineChange, change as object);
    if ((await validate(parsed)).length || !applyChange(cart, parsed)) return { statusCode: 400 };
    return { statusCode: 200, headers: {}, body: JSON.stringify({ total: cart.total() }) };
  }
}
export const handler = lambdaHandler(new CartHandler(), 'handle');
`,
  'raw-dynamodb': `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { createHash } from 'node:crypto';
import { applyChange, Cart, LineChange } from './cart-data';
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const TableName = process.env.TABLE!;
export async function handler(event: { headers: Record<string, string | undefined>; body?: string }) {
  const id = event.headers['session-id'];
  if (!id) return { statusCode: 401 };
  const key = createHash('sha256').update(id).digest('base64url');
  const { Item } = await doc.send(new GetCommand({ TableName, Key: { key }, ConsistentRead: true }));
  if (!Item) return { statusCode: 404 };
  const cart = plainToInstance(Cart, JSON.parse(Item.value) as object);
  if ((await validate(cart)).length) return { statusCode: 500 };
  ${CHANGE_PARSE}
  const parsed = plainToInstance(LineChange, change as object);
  if ((await validate(parsed)).length || !applyChange(cart, parsed)) return { statusCode: 400 };
  const json = JSON.stringify(cart);
  if (json !== Item.value) {
    const now = Date.now();
    await doc.send(new PutCommand({
      TableName,
      Item: { key, value: json, version: Item.version + 1, createdAt: Item.createdAt, updatedAt: now, ttl: Math.ceil(now / 1000) + 3600 },
      ConditionExpression: '#v = :v',
      ExpressionAttributeNames: { '#v': 'version' },
      ExpressionAttributeValues: { ':v': Item.version },
    }));
  }
  return { statusCode: 200, headers: { 'session-id': id }, body: JSON.stringify({ total: cart.total() }) };
}
`,
  'valibot-dynamodb': `import { configureSessions, getSessionData, setSessionData, withSession } from 'lambda-sessions';
${VALIBOT_CART}configureSessions({ tableName: process.env.TABLE! });
type CartData = v.InferOutput<typeof CartSchema>;
export const handler = withSession(async (event: { body?: string }) => {
  ${CHANGE_PARSE}
  const parsed = v.safeParse(Change, change);
  const cart = getSessionData<CartData>();
  const line = parsed.success ? cart.lines.find((l) => l.sku === parsed.output.sku) : undefined;
  if (!parsed.success || !line) return { statusCode: 400 };
  line.qty = parsed.output.qty;
  setSessionData(cart);
  return { statusCode: 200, headers: {}, body: JSON.stringify({ total: cart.lines.reduce((s, l) => s + l.qty * l.unitPrice, 0) }) };
}, { schema: CartSchema, update: true });
`,
  'class-validator-dynamodb': `import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { configureSessions, getSessionData, setSessionData, withSession } from 'lambda-sessions';
import { applyChange, Cart, LineChange } from './cart-data';
configureSessions({ tableName: process.env.TABLE! });
export const handler = withSession(async (event: { body?: string }) => {
  ${CHANGE_PARSE}
  const parsed = plainToInstance(LineChange, change as object);
  const cart = getSessionData<Cart>();
  if ((await validate(parsed)).length || !applyChange(cart, parsed)) return { statusCode: 400 };
  setSessionData(cart);
  return { statusCode: 200, headers: {}, body: JSON.stringify({ total: cart.total() }) };
}, { type: Cart, update: true });
`,
  'plain-memory': `import { configureSessions, getSessionData, MemorySessionStore, setSessionData, withSession } from 'lambda-sessions';
configureSessions({ store: new MemorySessionStore() });
export const handler = withSession(async () => {
  setSessionData((getSessionData<number>() ?? 0) + 1);
  return { statusCode: 200, headers: {}, body: String(getSessionData()) };
}, { update: true });
`,
};
writeFileSync(
  join(work, 'tsconfig.json'),
  JSON.stringify({ compilerOptions: { experimentalDecorators: true, target: 'ES2022' } }),
);
for (const [name, code] of Object.entries(handlers)) writeFileSync(join(work, `${name}.ts`), code);

const { build } = createRequire(join(work, 'package.json'))('esbuild');
const GROUPS = {
  'lambda-sessions': /node_modules\/lambda-sessions\//,
  'class-validator (+ validator, libphonenumber-js)':
    /node_modules\/(class-validator|validator|libphonenumber-js)\//,
  'class-transformer': /node_modules\/class-transformer\//,
  valibot: /node_modules\/valibot\//,
  'AWS SDK': /node_modules\/(@aws-sdk|@smithy|@aws-crypto)\//,
};
// [label, handler, SDK external?]: what is bundled and cold-started.
const BUNDLES = [
  ['ours, SDK external', 'ours-dynamodb', true],
  ['raw, SDK external', 'raw-dynamodb', true],
  ['ours, fully bundled', 'ours-dynamodb', false],
  ['raw, fully bundled', 'raw-dynamodb', false],
  ['withSession() + valibot schema, SDK external', 'valibot-dynamodb', true],
  ['withSession() + class-validator class, SDK external', 'class-validator-dynamodb', true],
  ['withSession() plain JSON, memory store (bytes only)', 'plain-memory', true],
];
console.log(
  `lambda-sessions from ${tarball}, esbuild ${version('esbuild')} (minified, node20, CJS), Node ${process.version}.`,
);
console.log('Bundle bytes, per package from the metafile:');
console.log(`\n| bundle | ${Object.keys(GROUPS).join(' B | ')} B | whole bundle B |`);
console.log(
  `| --- | ${Object.keys(GROUPS)
    .map(() => '---:')
    .join(' | ')} | ---: |`,
);
const files = {};
for (const [label, name, external] of BUNDLES) {
  const outfile = join(work, 'out', `${name}${external ? '' : '.full'}.js`);
  files[label] = outfile;
  const { metafile } = await build({
    absWorkingDir: work,
    entryPoints: [join(work, `${name}.ts`)],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: external ? ['@aws-sdk/*'] : [],
    metafile: true,
    logLevel: 'error',
  });
  const output = Object.values(metafile.outputs)[0];
  const bytes = Object.fromEntries(Object.keys(GROUPS).map((g) => [g, 0]));
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    for (const [group, pattern] of Object.entries(GROUPS))
      if (pattern.test(path)) bytes[group] += bytesInOutput;
  }
  console.log(
    `| ${label} | ${Object.values(bytes)
      .map((b) => b.toLocaleString('en'))
      .join(' | ')} | ${output.bytes.toLocaleString('en')} |`,
  );
}

// A dynalite in this process, and one stored session per variant: ours in the library's item format (written
// by its store), the raw one as the raw handler writes it.
const fromRepo = createRequire(join(here, 'package.json'));
const fromWork = createRequire(join(work, 'package.json'));
const server = fromRepo('dynalite')({ createTableMs: 0 });
await new Promise((done) => server.listen(0, '127.0.0.1', done));
const endpoint = `http://127.0.0.1:${server.address().port}`;
const { DynamoDBClient, CreateTableCommand, PutItemCommand } = fromWork('@aws-sdk/client-dynamodb');
const client = new DynamoDBClient({
  endpoint,
  region: 'local',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const TABLE = 'cold-start';
await client.send(
  new CreateTableCommand({
    TableName: TABLE,
    KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  }),
);
const cart = JSON.parse(
  execFileSync(
    process.execPath,
    ['-e', "console.log(JSON.stringify(require('./cart-data.js').makeCart({ lines: 5 })))"],
    {
      cwd: join(here, 'build', 'bench', 'e2e'),
      encoding: 'utf8',
    },
  ),
);
const { DynamoDBSessionStore, hashSessionId } = fromWork('lambda-sessions');
const store = new DynamoDBSessionStore({ tableName: TABLE, client });
const COLD = BUNDLES.filter(([label]) => !label.includes('bytes only'));
const ids = {};
for (const [label, name] of COLD) {
  const id = randomBytes(32).toString('base64url');
  ids[label] = id;
  const now = Date.now();
  if (name === 'raw-dynamodb') {
    const key = createHash('sha256').update(id).digest('base64url');
    await client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: {
          key: { S: key },
          value: { S: JSON.stringify(cart) },
          version: { N: '1' },
          createdAt: { N: String(now) },
          updatedAt: { N: String(now) },
          ttl: { N: String(Math.ceil(now / 1000) + 3600) },
        },
      }),
    );
  } else {
    const data = JSON.stringify(cart);
    await store.save(
      { key: hashSessionId(id), data, createdAt: now, updatedAt: now, version: 1, expiresAt: undefined },
      undefined,
    );
  }
}

// Cold start: process start to the first response, each run a fresh process; variants interleaved.
const fixture = JSON.parse(
  readFileSync(join(here, 'spec', 'fixtures', 'events', 'apigw-http-v2.json'), 'utf8'),
);
const probe = (file, id, qty) => {
  const event = {
    ...fixture,
    rawPath: '/cart/lines',
    headers: { ...fixture.headers, 'session-id': id, 'content-type': 'application/json' },
    requestContext: { ...fixture.requestContext, http: { ...fixture.requestContext.http, method: 'PUT' } },
    body: JSON.stringify({ sku: cart.lines[0].sku, qty }),
    isBase64Encoded: false,
  };
  return (
    `const t=require('node:perf_hooks').performance;(async()=>{const {handler}=require(${JSON.stringify(file)});` +
    `const r=await handler(${JSON.stringify(event)},{getRemainingTimeInMillis:()=>900000});` +
    `if(r.statusCode!==200)throw new Error('status '+r.statusCode+' '+(r.body??''));` +
    `const c=process.cpuUsage();process.stdout.write(t.now()+' '+(c.user+c.system)/1000)})().catch((e)=>{console.error(e);process.exit(1)})`
  );
};
const env = {
  ...process.env,
  AWS_ENDPOINT_URL_DYNAMODB: endpoint,
  AWS_REGION: 'local',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  TABLE,
};
// Spawned asynchronously: this process's event loop serves dynalite meanwhile.
const run = (code) =>
  new Promise((done, fail) => {
    const child = spawn(process.execPath, ['-e', code], { cwd: work, env });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (status) => (status === 0 ? done(out.split(' ').map(Number)) : fail(new Error(err))));
  });
const times = Object.fromEntries(COLD.map(([label]) => [label, []]));
const cpu = Object.fromEntries(COLD.map(([label]) => [label, []]));
for (let r = 0; r < runs; r++) {
  for (const [label] of [...COLD].sort(() => Math.random() - 0.5)) {
    const [wall, used] = await run(probe(files[label], ids[label], r % 2 ? 1 : 2));
    times[label].push(wall);
    cpu[label].push(used);
  }
}
client.destroy();
server.close();
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const med = (xs) => sorted(xs)[Math.floor(xs.length / 2)];
const span = (xs) => `${sorted(xs)[0].toFixed(1)} / ${med(xs).toFixed(1)} / ${sorted(xs).at(-1).toFixed(1)}`;
console.log(
  `\nCold start, process start to first response (a changed cart invocation: GetItem, hydrate, validate, ` +
    `PutItem), over ${runs} fresh processes each, min / median / max: wall ms (\`performance.now()\`), and the ` +
    `process's CPU ms until then (\`process.cpuUsage()\`, user + system), which a loaded machine inflates far less:\n`,
);
console.log('| bundle | wall ms | CPU ms | against | wall, CPU difference at the median | target |');
console.log('| --- | ---: | ---: | --- | ---: | --- |');
const against = {
  'ours, SDK external': ['raw, SDK external'],
  'ours, fully bundled': ['raw, fully bundled'],
  'withSession() + valibot schema, SDK external': [
    'withSession() + class-validator class, SDK external',
    -30,
  ],
};
const signed = (n) => `${n >= 0 ? '+' : ''}${n.toFixed(1)}`;
for (const [label] of COLD) {
  const [other, target] = against[label] ?? [];
  const wall = other ? med(times[label]) - med(times[other]) : undefined;
  const used = other ? med(cpu[label]) - med(cpu[other]) : undefined;
  const judge = (what, diff) =>
    diff <= target ? `${what}: met` : `${what}: **missed** (${signed(diff)} ms)`;
  const verdict =
    target === undefined ? '—' : `≥ ${-target} ms below; ${judge('wall', wall)}, ${judge('CPU', used)}`;
  console.log(
    `| ${label} | ${span(times[label])} | ${span(cpu[label])} | ${other ?? '—'} | ${wall === undefined ? '—' : `${signed(wall)}, ${signed(used)} ms`} | ${verdict} |`,
  );
}
