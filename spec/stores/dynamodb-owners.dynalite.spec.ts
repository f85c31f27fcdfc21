// Sessions that belong to a user, as the DynamoDB table itself sees them: the one strongly consistent
// BatchGetItem of a session and its owner's epoch, keys DynamoDB leaves unprocessed, a table without the owner
// index, a revoked session's in-flight write refused by DynamoDB's condition, and no owner in clear in any item.
// On dynalite, or on moto_server with DYNAMO_BACKEND=moto.
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createHash, randomBytes } from 'node:crypto';
import {
  configureSessions,
  DynamoDBSessionStore,
  hashSessionId,
  listSessions,
  revokeAllSessions,
  revokeSession,
  SessionConflictError,
  SessionStoreUnavailableError,
  type StoredSession,
} from '../../src';
import { type Action, header, seen, userHandler } from '../engine-rules/user-handler';
import { getItem, scanTable, useSessionTable } from '../support/dynalite';
import { startDynamoBackend } from '../support/dynamo-backend';

const local = useSessionTable(startDynamoBackend);
const SECRET = randomBytes(32).toString('base64url');
const OWNER_KEY = 'o'.repeat(43);
const EPOCH_KEY = `owner.${OWNER_KEY}`;

const store = (options: { consistentRead?: boolean } = {}) =>
  new DynamoDBSessionStore({ tableName: local.tableName, client: local.dynamo.client, ...options });
const owned = (key: string, ownerEpoch = 0): StoredSession => ({
  key,
  data: '{"user":"ada"}',
  createdAt: 1,
  updatedAt: 1,
  version: 1,
  expiresAt: undefined,
  owner: OWNER_KEY,
  ownerEpoch,
});

const handler = (act?: Action) => userHandler({}, act);
const idOf = (response: { headers: Record<string, string> }) => response.headers['session-id']!;
const logInAs = (owner: string, label?: string) =>
  handler((data, session) => {
    data.theme = 'dark'; // the owner is in no data of ours: what is in the table is the library's doing
    session.regenerate({ owner, ...(label === undefined ? {} : { label }) });
  });

/** What a request sent (in the document client's form) and the error DynamoDB answered it with. */
interface Sent {
  readonly operation: string;
  readonly input: Record<string, unknown>;
  error?: string;
}

/** Records every request of the client from now on, until {@link unwatch}. */
function watchRequests(client: DynamoDBClient): Sent[] {
  const sent: Sent[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const entry: Sent = {
        operation: String(context.commandName).replace(/Command$/, ''),
        input: structuredClone(args.input as Record<string, unknown>),
      };
      sent.push(entry);
      try {
        return await next(args);
      } catch (error) {
        entry.error = (error as Error).name;
        throw error;
      }
    },
    // Before the document client's marshalling: the request as the store gave it.
    { step: 'initialize', name: 'watchRequests', override: true },
  );
  return sent;
}

type Keys = Record<string, unknown>[];

const all = (keys: Keys) => keys;

/**
 * DynamoDB under throttling: the next BatchGetItem requests, one per round given, leave the keys the round picks
 * unprocessed: they come back in UnprocessedKeys and their items are left out of Responses, as DynamoDB answers
 * when it could not read them. Requests after the last round are answered as DynamoDB answered them.
 */
function leaveUnprocessed(client: DynamoDBClient, rounds: ((keys: Keys) => Keys)[]) {
  const left = [...rounds];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const unprocessed = left[0];
      if (context.commandName !== 'BatchGetItemCommand' || unprocessed === undefined) return result;
      left.shift();
      const input = args.input as { RequestItems: Record<string, { Keys: Keys; ConsistentRead?: boolean }> };
      const output = result.output as {
        Responses?: Record<string, Record<string, unknown>[]>;
        UnprocessedKeys?: Record<string, { Keys: Keys; ConsistentRead?: boolean }>;
      };
      const [table, request] = Object.entries(input.RequestItems)[0]!;
      const skipped = unprocessed(request.Keys);
      const isSkipped = (item: Record<string, unknown>) => skipped.some((k) => k.key === item.key);
      output.Responses = { [table]: (output.Responses?.[table] ?? []).filter((item) => !isSkipped(item)) };
      output.UnprocessedKeys =
        skipped.length === 0 ? {} : { [table]: { Keys: skipped, ConsistentRead: request.ConsistentRead } };
      return result;
    },
    { step: 'initialize', name: 'leaveUnprocessed', override: true },
  );
}

afterEach(() => {
  local.dynamo.client.middlewareStack.remove('watchRequests');
  local.dynamo.client.middlewareStack.remove('leaveUnprocessed');
});

beforeEach(() =>
  configureSessions({ tableName: local.tableName, client: local.dynamo.client, idSecret: SECRET }),
);

describe('loadOwned: the session and its owner epoch in one strongly consistent read', () => {
  it('sends exactly one BatchGetItem of both keys, ConsistentRead true even when the store reads eventually', async () => {
    const s = store({ consistentRead: false });
    await s.save(owned('k1', 1), undefined);
    await s.owners!.revokeAll(OWNER_KEY);
    const sent = watchRequests(local.dynamo.client);

    const { session, epoch } = await s.owners!.loadOwned('k1', OWNER_KEY);

    expect(session).toMatchObject({ key: 'k1', owner: OWNER_KEY, ownerEpoch: 1 });
    expect(epoch).toBe(1);
    expect(sent.map((r) => r.operation)).toEqual(['BatchGetItem']);
    const request = (sent[0]!.input.RequestItems as Record<string, { Keys: Keys; ConsistentRead: boolean }>)[
      local.tableName
    ]!;
    expect(request.ConsistentRead).toBe(true);
    expect(request.Keys.map((k) => k.key).sort()).toEqual(['k1', EPOCH_KEY]);
  });

  it('costs one BatchGetItem per request of an owned session through the engine, strongly consistent', async () => {
    configureSessions({
      tableName: local.tableName,
      client: local.dynamo.client,
      idSecret: SECRET,
      consistentRead: false,
    });
    const id = idOf(await logInAs('ada')({}));
    const sent = watchRequests(local.dynamo.client);
    expect(seen(await handler()(header(id)))).toEqual({ theme: 'dark' });
    expect(sent.map((r) => r.operation)).toEqual(['BatchGetItem']);
    expect(Object.values(sent[0]!.input.RequestItems as object)[0]).toMatchObject({ ConsistentRead: true });
  });
});

describe('keys DynamoDB leaves unprocessed', () => {
  it('are asked again, only they, until the session and the epoch are both read', async () => {
    const s = store();
    await s.save(owned('k1', 2), undefined);
    await s.owners!.revokeAll(OWNER_KEY);
    await s.owners!.revokeAll(OWNER_KEY);
    const sent = watchRequests(local.dynamo.client);
    // First round: nothing read; second: the session read, its epoch left; third: the epoch.
    leaveUnprocessed(local.dynamo.client, [all, (keys) => keys.filter((k) => k.key === EPOCH_KEY)]);
    const { session, epoch } = await s.owners!.loadOwned('k1', OWNER_KEY);

    expect(session).toMatchObject({ key: 'k1', ownerEpoch: 2 });
    expect(epoch).toBe(2);
    const asked = sent.map(
      (r) =>
        (r.input.RequestItems as Record<string, { Keys: Keys; ConsistentRead: boolean }>)[local.tableName]!,
    );
    expect(asked.map((r) => r.Keys.map((k) => k.key).sort())).toEqual([
      ['k1', EPOCH_KEY],
      ['k1', EPOCH_KEY],
      [EPOCH_KEY],
    ]);
    expect(asked.every((r) => r.ConsistentRead)).toBe(true);
  });

  it('fails as throttling after 8 rounds of nothing read, and the engine writes nothing', async () => {
    const s = store();
    await s.save(owned('k1'), undefined);
    let sent = watchRequests(local.dynamo.client);
    leaveUnprocessed(local.dynamo.client, Array<typeof all>(8).fill(all));
    const error = await s.owners!.loadOwned('k1', OWNER_KEY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionStoreUnavailableError);
    expect((error as Error).message).toMatch(
      /left keys unprocessed 8 times .*\(throttling\): nothing was written/,
    );
    expect(sent.map((r) => r.operation)).toEqual(Array(8).fill('BatchGetItem'));

    // Through the engine: a request that would change its owned session.
    const id = idOf(await logInAs('ada')({}));
    const before = await getItem(local.dynamo.client, local.tableName, hashSessionId(id));
    local.dynamo.client.middlewareStack.remove('watchRequests');
    sent = watchRequests(local.dynamo.client);
    leaveUnprocessed(local.dynamo.client, Array<typeof all>(8).fill(all));
    const change = handler((data) => void (data.theme = 'light'));
    await expect(change(header(id))).rejects.toThrow(SessionStoreUnavailableError);
    expect(sent.map((r) => r.operation)).toEqual(Array(8).fill('BatchGetItem'));
    expect(await getItem(local.dynamo.client, local.tableName, hashSessionId(id))).toEqual(before);
    // Once DynamoDB reads again, the session is there, unchanged.
    expect(seen(await handler()(header(id)))).toEqual({ theme: 'dark' });
  }, 20_000);
});

describe('a table without the owner index', () => {
  async function tableWithoutIndex(): Promise<string> {
    const tableName = `${local.tableName}-no-index`;
    await local.dynamo.client.send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    configureSessions({ tableName, client: local.dynamo.client, idSecret: SECRET });
    return tableName;
  }

  it('fails listSessions() naming the index and the check command', async () => {
    await tableWithoutIndex();
    await logInAs('ada')({});
    const error = await listSessions('ada').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionStoreUnavailableError);
    expect((error as Error).message).toMatch(/no index "owner-index"/);
    expect((error as Error).message).toMatch(/npx lambda-sessions check/);
    await expect(revokeSession('ada', 'some-ref')).rejects.toThrow(/no index "owner-index"/);
  });

  it("reads each DynamoDB's way of saying so as a missing index, not a missing table", async () => {
    // DynamoDB's answer, moto_server's (which a missing table also gets, with another message), and DynamoDB's
    // for a missing table.
    const answers: [string, string, RegExp][] = [
      [
        'ValidationException',
        'The table does not have the specified index: owner-index',
        /no index "owner-index".*npx lambda-sessions check/,
      ],
      [
        'ResourceNotFoundException',
        'Invalid index: owner-index for table: sessions. Available indexes are: ',
        /no index "owner-index".*npx lambda-sessions check/,
      ],
      [
        'ResourceNotFoundException',
        'Requested resource not found',
        /table "sessions" was not found \(Query\)/,
      ],
    ];
    for (const [name, message, expected] of answers) {
      const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
      client.send = (() => Promise.reject(Object.assign(new Error(message), { name }))) as typeof client.send;
      const s = new DynamoDBSessionStore({ tableName: 'sessions', client });
      await expect(s.owners!.list(OWNER_KEY)).rejects.toThrow(expected);
    }
  });

  it('keeps ordinary sessions working', async () => {
    const tableName = await tableWithoutIndex();
    const id = idOf(await handler((data) => void (data.theme = 'dark'))({}));
    expect(seen(await handler((data) => void (data.theme = 'light'))(header(id)))).toEqual({ theme: 'dark' });
    const rotated = idOf(await handler((_data, session) => session.regenerate())(header(id)));
    expect(seen(await handler()(header(rotated)))).toEqual({ theme: 'light' });
    expect((await scanTable(local.dynamo.client, tableName)).map((item) => item.key!.S)).toEqual([
      hashSessionId(rotated),
    ]);
  });
});

describe('a revoked session in flight', () => {
  it("loses its conditional write against DynamoDB's own condition, and the table keeps no item of it", async () => {
    const phone = idOf(await logInAs('ada', 'Phone')({}));
    const laptop = idOf(await logInAs('ada', 'Laptop')({}));
    const phoneRef = (await listSessions('ada')).find((d) => d.label === 'Phone')!.ref;
    const sent = watchRequests(local.dynamo.client);
    const write = handler(async (data) => {
      expect(await revokeSession('ada', phoneRef)).toBe('revoked'); // between its load and its write
      data.theme = 'light';
    });

    await expect(write(header(phone))).rejects.toBeInstanceOf(SessionConflictError);

    // DynamoDB refused the write: it was sent, conditional on the version read, and its condition failed.
    const put = sent.find((r) => r.operation === 'PutItem' || r.operation === 'UpdateItem');
    expect(put).toMatchObject({ error: 'ConditionalCheckFailedException' });
    expect(put!.input.ConditionExpression).toEqual(expect.stringContaining(':expected'));
    const keys = (await scanTable(local.dynamo.client, local.tableName)).map((item) => item.key!.S);
    expect(keys).not.toContain(hashSessionId(phone));
    expect(keys).toContain(hashSessionId(laptop));
  });
});

describe('the owner in the table', () => {
  it('appears in no item in clear, nor as its plain SHA-256, after a log-in and a revocation', async () => {
    const owner = 'ada.lovelace@example.com';
    await logInAs(owner, 'Phone')({});
    await revokeAllSessions(owner); // writes the owner's epoch item
    const id = idOf(await logInAs(owner, 'Laptop')({}));
    expect(seen(await handler()(header(id)))).toEqual({ theme: 'dark' });

    const items = await scanTable(local.dynamo.client, local.tableName);
    expect(items.map((item) => item.key!.S)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^owner\./)]),
    );
    const sha = createHash('sha256').update(owner, 'utf8').digest();
    const forbidden = [
      owner,
      'ada.lovelace',
      sha.toString('hex'),
      sha.toString('base64'),
      sha.toString('base64url'),
    ];
    for (const item of items) {
      const text = JSON.stringify(item);
      for (const word of forbidden) expect(text.toLowerCase()).not.toContain(word.toLowerCase());
    }
  });
});
