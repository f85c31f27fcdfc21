// What sessions that belong to a user (issue 14) cost per request, against dynalite in this process: an
// anonymous session against an owned one (after `regenerate({ owner })`), unchanged and changed, in requests,
// capacity units and latency; then the one-off costs of a log-in, listSessions(), revokeSession() and
// revokeAllSessions().
// Run: npx tsc -p tsconfig.samples.json && node build/bench/owners-cost.js [invocations per block] [runs]
import 'reflect-metadata';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { IsInt, IsOptional, IsString, Min } from 'class-validator';
import dynalite from 'dynalite';
import { randomBytes } from 'node:crypto';
import { type AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import {
  configureSessions,
  lambdaHandler,
  listSessions,
  revokeAllSessions,
  revokeSession,
  Session,
  SessionContext,
  SessionData,
} from '../src';
import { fakeContext } from '../spec/support/lambda';
import { fmt, median, timeEach } from './stats';
import { DEFAULT_ATTRIBUTE_NAMES } from '../src/stores/dynamodb-item';
import { DEFAULT_OWNER_INDEX_NAME, sessionTableInput } from '../src/stores/dynamodb-table';
import { consumedUnits } from './capacity';

const N = Number(process.argv[2] ?? 300);
const RUNS = Number(process.argv[3] ?? 5);
const ONE_OFF_REPEATS = 20;

class Cart {
  @IsInt() @Min(0) visits = 0;
  @IsOptional() @IsString() user?: string;
}

type Response = { statusCode: number; headers: Record<string, string>; body: string };
type Invoke = (event: unknown) => Promise<Response>;

function cartHandler(act: (cart: Cart, session: SessionContext) => void): Invoke {
  class Handler {
    @Session({ update: true })
    async handle(
      _event: unknown,
      @SessionData() cart: Cart,
      @SessionContext() session: SessionContext,
    ): Promise<Response> {
      act(cart, session);
      return { statusCode: 200, headers: {}, body: '' };
    }
  }
  const entry = lambdaHandler(new Handler(), 'handle');
  const context = fakeContext();
  return (event) => entry(event, context);
}

const view = cartHandler(() => {});
const change = cartHandler((cart) => (cart.visits += 1));
const logIn = (owner: string, label = 'bench') =>
  cartHandler((cart, session) => {
    cart.user = owner;
    session.regenerate({ owner, label });
  });
const withId = (id: string) => ({ headers: { 'session-id': id } });
const idOf = (response: Response) => response.headers['session-id']!;

/** One DynamoDB request as the capacity middleware saw it. */
interface Request {
  readonly op: string;
  /** What dynalite reported (ReturnConsumedCapacity: 'TOTAL'): the table's units. */
  readonly units: number;
  /** Writes to the owner index this request makes on DynamoDB, which dynalite does not count (1 WCU each). */
  readonly indexWrites: number;
}

/**
 * Writes to a sparse index keyed on `owner` when an item goes from `before` to `after`: none when neither is
 * in it, two when it moves from one owner to another (a delete and a put), else one (put, update of a
 * projected attribute, or delete).
 */
function indexWrites(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
) {
  const a = before?.owner;
  const b = after?.owner;
  if (a === undefined && b === undefined) return 0;
  return a !== undefined && b !== undefined && a !== b ? 2 : 1;
}

async function main(): Promise<void> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const settings = {
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const client = new DynamoDBClient(settings);
  // A second client, outside the measured one's middleware, to read an item's state before a write.
  const peekClient = new DynamoDBClient(settings);
  const peek = DynamoDBDocumentClient.from(peekClient);
  const TableName = 'bench-owners';
  // The README's layout, as `lambda-sessions create-table` makes it: the table and its owner index.
  await client.send(
    new CreateTableCommand(sessionTableInput(TableName, DEFAULT_ATTRIBUTE_NAMES, DEFAULT_OWNER_INDEX_NAME)),
  );
  configureSessions({ tableName: TableName, client, idSecret: randomBytes(32).toString('base64url') });

  const seen: Request[] = [];
  let measuring = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!measuring) return next(args);
      const op = String(context.commandName).replace(/Command$/, '');
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const key = (input.Key ?? input.Item) as Record<string, unknown> | undefined;
      const before =
        key && ['PutItem', 'UpdateItem', 'DeleteItem'].includes(op)
          ? (await peek.send(new GetCommand({ TableName, Key: { key: key.key }, ConsistentRead: true }))).Item
          : undefined;
      const result = await next(args);
      const units = consumedUnits(result.output);
      const after =
        op === 'PutItem' ? (input.Item as Record<string, unknown>) : op === 'UpdateItem' ? before : undefined;
      seen.push({
        op,
        units,
        indexWrites:
          op === 'PutItem' || op === 'UpdateItem' || op === 'DeleteItem' ? indexWrites(before, after) : 0,
      });
      return result;
    },
    { step: 'initialize', name: 'capacity', override: true },
  );

  /** The requests of `action`, after `setup` (not counted). */
  async function costOf(setup: () => Promise<unknown>, action: (state: unknown) => Promise<unknown>) {
    const state = await setup();
    seen.length = 0;
    measuring = true;
    try {
      await action(state);
    } finally {
      measuring = false;
    }
    return [...seen];
  }
  const row = (label: string, requests: Request[], ms?: string) => {
    const table = requests.reduce((n, r) => n + r.units, 0);
    const index = requests.reduce((n, r) => n + r.indexWrites, 0);
    const ops = requests.map((r) => `${r.op} ${r.units}`).join(' + ') || 'none';
    return `| ${label} | ${ops} (${requests.length}) | ${table} | ${index} | **${table + index}** |${ms === undefined ? '' : ` ${ms} |`}`;
  };

  let owners = 0;
  const anonymousId = async () => idOf(await change({}));
  const ownedId = async () => idOf(await logIn(`user-${++owners}@example.com`)(withId(await anonymousId())));

  console.log(
    `Node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? 'CPU'}, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}, ${new Date().toISOString().slice(0, 10)}`,
  );
  console.log();
  console.log('Per invocation, requests (dynalite-measured units each) and capacity units:');
  console.log();
  console.log(
    '| invocation | requests (units each, measured) | table units (measured) | owner index WCU (computed) | total on DynamoDB |',
  );
  console.log('| --- | --- | ---: | ---: | ---: |');
  const cases: [string, () => Promise<string>, Invoke][] = [
    ['anonymous, unchanged', anonymousId, view],
    ['anonymous, changed', anonymousId, change],
    ['owned, unchanged', ownedId, view],
    ['owned, changed', ownedId, change],
  ];
  for (const [label, make, handler] of cases) {
    console.log(row(label, await costOf(make, (id) => handler(withId(id as string)))));
  }
  console.log();

  // Latency: RUNS runs, each a block of N invocations per case, the blocks' order rotated run by run.
  const ids = await Promise.all(cases.map(([, make]) => make()));
  for (const [i, [, , handler]] of cases.entries()) await timeEach(100, () => handler(withId(ids[i]!))); // warm-up
  const blockMedians: number[][] = cases.map(() => []);
  for (let run = 0; run < RUNS; run++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (run + k) % cases.length;
      const handler = cases[i]![2];
      const id = ids[i]!;
      blockMedians[i]!.push(median(await timeEach(N, () => handler(withId(id)))) / 1000);
    }
  }
  console.log(
    `Latency, ms per invocation: the median of each block of ${N}, min / median / max over ${RUNS} runs:`,
  );
  console.log();
  console.log('| invocation | min / median / max ms |');
  console.log('| --- | ---: |');
  for (const [i, [label]] of cases.entries()) {
    const m = blockMedians[i]!;
    console.log(
      `| ${label} | ${fmt(Math.min(...m), 3)} / ${fmt(median(m), 3)} / ${fmt(Math.max(...m), 3)} |`,
    );
  }
  console.log();

  // One-off costs, each on fresh state: requests and units of the last repeat, median ms over the repeats.
  const devices = async () => {
    const owner = `user-${++owners}@example.com`;
    const ids = [];
    for (const label of ['Phone', 'Laptop', 'Tablet']) ids.push(idOf(await logIn(owner, label)({})));
    return { owner, ids, ref: (await listSessions(owner)).find((d) => d.label === 'Tablet')!.ref };
  };
  type Devices = Awaited<ReturnType<typeof devices>>;
  const oneOffs: [string, () => Promise<unknown>, (state: unknown) => Promise<unknown>][] = [
    [
      'log-in with owner, no session before',
      async () => `user-${++owners}@example.com`,
      (o) => logIn(o as string)({}),
    ],
    [
      'log-in with owner, from an anonymous session',
      async () => ({ owner: `user-${++owners}@example.com`, id: await anonymousId() }),
      (s) => logIn((s as { owner: string }).owner)(withId((s as { id: string }).id)),
    ],
    ['listSessions(owner), 3 devices', devices, (s) => listSessions((s as Devices).owner)],
    [
      'revokeSession(owner, ref), 3 devices',
      devices,
      (s) => revokeSession((s as Devices).owner, (s as Devices).ref),
    ],
    ['revokeAllSessions(owner), 3 devices', devices, (s) => revokeAllSessions((s as Devices).owner)],
    [
      'next request of a device revoked by revokeAllSessions()',
      async () => {
        const s = await devices();
        await revokeAllSessions(s.owner);
        return s;
      },
      (s) => view(withId((s as Devices).ids[0]!)),
    ],
  ];
  console.log(
    `One-off costs (requests and units of one; ms: median of ${ONE_OFF_REPEATS}, each on fresh state):`,
  );
  console.log();
  console.log(
    '| operation | requests (units each, measured) | table units (measured) | owner index WCU (computed) | total on DynamoDB | median ms |',
  );
  console.log('| --- | --- | ---: | ---: | ---: | ---: |');
  for (const [label, setup, action] of oneOffs) {
    let last: Request[] = [];
    const ms: number[] = [];
    for (let r = 0; r < ONE_OFF_REPEATS; r++) {
      const state = await setup();
      const start = process.hrtime.bigint();
      await action(state);
      ms.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (r === ONE_OFF_REPEATS - 1) last = await costOf(setup, action);
    }
    console.log(row(label, last, fmt(median(ms), 2)));
  }
  client.destroy();
  peekClient.destroy();
  await new Promise((resolve) => server.close(() => resolve(undefined)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
