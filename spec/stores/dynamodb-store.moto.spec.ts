// What only moto_server shows of the DynamoDB store: the item a failed condition returns, and the item size
// limit enforced by the emulator itself (dynalite returns no item and counts text in UTF-16 code units).
// Run by npm run test:moto only, on moto started for this file.
import { type AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBSessionStore,
  hashSessionId,
  lambdaHandler,
  Session,
  SessionConflictError,
  SessionData,
  SessionStoreUnavailableError,
  type StoredSession,
} from '../../src';
import { conflictWinner } from '../../src/errors';
import { getItem, putItem, useSessionTable } from '../support/dynalite';
import { withFakeContext } from '../support/lambda';
import { startMoto } from '../support/moto';
import { Counter } from '../support/sessions';

const local = useSessionTable(startMoto);
const store = (options: { compressAbove?: number } = {}) =>
  new DynamoDBSessionStore({ tableName: local.tableName, client: local.dynamo.client, ...options });

const session = (key: string, overrides: Partial<StoredSession> = {}): StoredSession => ({
  key,
  data: '{"n":1}',
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_000_000,
  version: 1,
  expiresAt: 1_700_000_600_000,
  ...overrides,
});

type Response = { statusCode: number; headers: Record<string, string>; body: string };

async function conflict(write: Promise<unknown>): Promise<SessionConflictError> {
  const error = await write.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SessionConflictError);
  return error as SessionConflictError;
}

describe('a failed condition returns the stored item (ReturnValuesOnConditionCheckFailure: ALL_OLD)', () => {
  it('a replace of a version no longer stored names the winner, exactly as stored', async () => {
    const s = store();
    await s.save(session('r'), undefined);
    const winner = session('r', {
      data: '{"n":2}',
      version: 2,
      updatedAt: 1_700_000_100_000,
      schemaVersion: 3,
    });
    await s.save(winner, 1);

    const error = await conflict(s.save(session('r', { data: '{"n":3}', version: 2 }), 1));

    expect(conflictWinner(error)).toEqual({ key: 'r', current: winner });
    expect(JSON.stringify(error)).not.toContain('{"n":2}'); // the winner's data is not serialised with the error
  });

  it('a create over an existing session names the session that is there', async () => {
    const s = store();
    await s.save(session('c'), undefined);
    const error = await conflict(s.save(session('c', { data: '{"n":9}' }), undefined));
    expect(conflictWinner(error)).toEqual({ key: 'c', current: session('c') });
  });

  it('a compressed winner comes back as Binary and is decoded', async () => {
    const s = store({ compressAbove: 0 });
    const data = JSON.stringify({
      lines: Array.from({ length: 50 }, (_, i) => ({ sku: `sku-${i}`, qty: 1 })),
    });
    await s.save(session('z', { data }), undefined);
    const error = await conflict(s.save(session('z', { version: 2 }), 5));
    expect(conflictWinner(error)).toEqual({ key: 'z', current: session('z', { data }) });
  });

  it("lets onConflict: 'retry' run again on the winner's data without reading it again", async () => {
    // One invocation's handler lets a second one on the same session finish first: a lost race, made certain.
    let interleave: (() => Promise<unknown>) | undefined;
    class Handler {
      @Session({ update: true, onConflict: 'retry' })
      async handle(_event: unknown, @SessionData() counter: Counter): Promise<Response> {
        const other = interleave;
        interleave = undefined;
        if (other) await other();
        return { statusCode: 200, headers: {}, body: String(counter.next()) };
      }
    }
    const invoke = withFakeContext(lambdaHandler(new Handler(), 'handle'));
    const id = (await invoke({})).headers['session-id']!;
    const withId = { headers: { 'session-id': id } };
    interleave = () => invoke(withId);
    local.dynamo.requests.length = 0;

    const response = await invoke(withId);

    // Its read, the other invocation's read and write, its write that lost, its write on the winner's data.
    expect(local.dynamo.requests).toEqual(['GetItem', 'GetItem', 'PutItem', 'PutItem', 'PutItem']);
    expect(response.body).toBe('3');
    const stored = await getItem(local.dynamo.client, local.tableName, hashSessionId(id));
    expect(JSON.parse(stored!.value!.S!)).toEqual({ value: 3 });
  });
});

describe('the item size limit, enforced by moto itself', () => {
  const SIZE_ERROR = /Item size has exceeded the maximum allowed size/;
  /** A raw PutItem of `attributes` beside the key `k` (5 bytes with its name), bypassing the store's check. */
  const rawPut = (k: string, attributes: Record<string, AttributeValue>) =>
    putItem(local.dynamo.client, local.tableName, { key: { S: k }, ...attributes }).then(
      () => 'stored',
      (e: Error) => `${e.name}: ${e.message}`,
    );

  it('refuses an item over 400 KB that reaches it (the store refuses such an item before sending it)', async () => {
    expect(await rawPut('k1', { v: { S: 'x'.repeat(420_000) } })).toMatch(SIZE_ERROR);
    expect(await rawPut('k2', { v: { B: new Uint8Array(420_000) } })).toMatch(SIZE_ERROR);
  });

  it('counts text in UTF-8 bytes, as DynamoDB does; dynalite counts UTF-16 code units and stores this', async () => {
    // 210,000 'é' are 420,000 bytes of UTF-8, 210,000 code units.
    expect(await rawPut('k3', { v: { S: 'é'.repeat(210_000) } })).toMatch(SIZE_ERROR);
  });

  it('refuses from 405,001 bytes on (not 409,601): names, UTF-8 text, binary bytes, digits of numbers', async () => {
    // The key attribute is 5 bytes ("key" and "k4"), "v" 1; the number's 13 digits count 13.
    expect(await rawPut('k4', { v: { S: 'x'.repeat(405_000 - 6) } })).toBe('stored');
    expect(await rawPut('k5', { v: { S: 'x'.repeat(405_001 - 6) } })).toMatch(SIZE_ERROR);
    expect(await rawPut('k6', { v: { B: new Uint8Array(405_001 - 6) } })).toMatch(SIZE_ERROR);
    expect(await rawPut('k7', { n: { N: '1700000000000' }, v: { S: 'x'.repeat(405_000 - 6 - 14) } })).toBe(
      'stored',
    );
    expect(await rawPut('k8', { n: { N: '1700000000000' }, v: { S: 'x'.repeat(405_001 - 6 - 14) } })).toMatch(
      SIZE_ERROR,
    );
  });

  it('so a session between 405,000 and 409,600 bytes, which the store sends, fails on moto, nothing written', async () => {
    const s = new DynamoDBSessionStore({
      tableName: local.tableName,
      client: local.dynamo.client,
      compressAbove: Infinity,
    });
    await s.save(session('big'), undefined);
    const data = JSON.stringify({ text: 'x'.repeat(407_000) }); // about 407,100 bytes stored, under 409,600

    const error = await s.save(session('big', { data, version: 2 }), 1).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SessionStoreUnavailableError);
    expect((error as Error).cause).toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(SIZE_ERROR),
    });
    expect((await s.load('big'))?.data).toBe('{"n":1}');
  });
});
