// The store outage drill: dynalite keeping its data on disk is stopped in the middle of a run and started
// again on the same port. Invocations during the outage fail fast with SessionStoreUnavailableError; after
// it, every session written before is there, intact, and counts exactly what it acknowledged.
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { mkdtempSync, rmSync } from 'node:fs';
import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IsInt, Min } from 'class-validator';
import {
  configureSessions,
  hashSessionId,
  lambdaHandler,
  Session,
  SessionData,
  SessionStoreUnavailableError,
} from '../src';
import { getItem, guardedClient } from './support/dynalite';
import { withFakeContext } from './support/lambda';

class Counter {
  @IsInt() @Min(0) n = 0;
}

type Response = { statusCode: number; headers: Record<string, string> };
type Invoke = (event: unknown) => Promise<Response>;
function increment(): Invoke {
  class Handler {
    @Session({ update: true, storeTimeoutMs: 1_000 })
    async handle(_e: unknown, @SessionData() c: Counter): Promise<Response> {
      c.n += 1;
      return { statusCode: 200, headers: {} };
    }
  }
  return withFakeContext(lambdaHandler(new Handler(), 'handle'));
}

const folder = mkdtempSync(join(tmpdir(), 'lambda-sessions-outage-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function start(port: number): Promise<Server> {
  const server = dynalite({ path: folder, createTableMs: 0 });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}
function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

it('keeps every session written before an outage, and fails fast during it', async () => {
  let server = await start(0);
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = guardedClient(endpoint);
  const tableName = 'outage-sessions';
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  configureSessions({ tableName, endpoint, region: 'us-east-1', maxAttempts: 2 });
  const handler = increment();

  // Before: 40 sessions, three increments each.
  const ids: string[] = [];
  const acknowledged: number[] = [];
  for (let i = 0; i < 40; i++) {
    ids.push((await handler({})).headers['session-id']!);
    acknowledged.push(1);
  }
  const bump = async (i: number) => {
    await handler({ headers: { 'session-id': ids[i] } });
    acknowledged[i]!++;
  };
  for (let round = 0; round < 2; round++) for (let i = 0; i < ids.length; i++) await bump(i);

  // The outage, with traffic running into it.
  await stop(server);
  const failures: unknown[] = [];
  const startedOutage = Date.now();
  for (let i = 0; i < 10; i++) await bump(i).catch((e: unknown) => failures.push(e));
  const outageMs = Date.now() - startedOutage;
  expect(failures).toHaveLength(10);
  expect(failures.every((e) => e instanceof SessionStoreUnavailableError)).toBe(true);
  expect(outageMs).toBeLessThan(10 * 1_500); // each failed within its budget, none hung

  // Back, from the same data on disk.
  server = await start(port);
  for (let i = 0; i < ids.length; i++) await bump(i);
  for (const [i, id] of ids.entries()) {
    const item = await getItem(client, tableName, hashSessionId(id));
    expect({ i, n: JSON.parse(item!.value!.S!).n }).toEqual({ i, n: acknowledged[i] });
  }
  client.destroy();
  await stop(server);
}, 60_000);
