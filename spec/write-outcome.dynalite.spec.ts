// A failed write says whether it may have happened: SessionWriteUnknownError when it was sent and no answer
// came back (DynamoDB may have applied it), a plain SessionStoreUnavailableError when it was refused or never
// sent. dynalite in-process, behind the fault proxy; each case checks the table. (An answer lost on an attempt
// the SDK then repeats is idempotency.dynalite.spec.ts: the write token makes the repeat succeed.)
import { IsInt, Min } from 'class-validator';
import {
  configureSessions,
  getSessionContext,
  hashSessionId,
  lambdaHandler,
  Session,
  SessionData,
  type SessionOptions,
  SessionStoreUnavailableError,
  SessionWriteUnknownError,
  withSession,
} from '../src';
import { getItem, useSessionTable } from './support/dynalite';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy';
import { fakeContext, withFakeContext } from './support/lambda';

class Counter {
  @IsInt() @Min(0) n = 0;
}

type Response = { statusCode: number; headers: Record<string, string>; body: string };

let ran = 0;
function counter(options: SessionOptions = {}) {
  class Handler {
    @Session({ update: true, ...options })
    async handle(_e: unknown, @SessionData() c: Counter): Promise<Response> {
      ran++;
      c.n += 1;
      return { statusCode: 200, headers: {}, body: String(c.n) };
    }
  }
  return withFakeContext(lambdaHandler(new Handler(), 'handle'));
}

const local = useSessionTable();
let proxy: FaultProxy;
beforeEach(async () => {
  proxy = await startFaultProxy(local.dynamo.endpoint);
  configureSessions({ tableName: local.tableName, endpoint: proxy.endpoint, region: 'us-east-1' });
});
afterEach(() => proxy.close());

const header = (id: string) => ({ headers: { 'session-id': id } });
/** The count stored for `id`, as the table holds it now. */
async function storedCount(id: string): Promise<number | undefined> {
  const item = await getItem(local.dynamo.client, local.tableName, hashSessionId(id));
  return item && (JSON.parse(item.value!.S!) as Counter).n;
}
async function aSession(): Promise<string> {
  const id = (await counter()({})).headers['session-id']!;
  ran = 0;
  proxy.seen.length = 0;
  return id;
}
const failureOf = (run: Promise<unknown>) =>
  run.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('a write that was sent and not answered', () => {
  it('is unknown when its answer never comes, and it is in the table', async () => {
    const id = await aSession();
    proxy.plan({ fault: 'hold-answer', operation: 'PutItem' });

    const error = await failureOf(counter({ storeTimeoutMs: 500 })(header(id)));

    expect(error).toBeInstanceOf(SessionWriteUnknownError);
    expect(error).toBeInstanceOf(SessionStoreUnavailableError); // existing catches still take it
    expect((error as Error).name).toBe('SessionWriteUnknownError');
    expect((error as Error).message).toMatch(/may have been applied.*Read the session again/);
    expect(await storedCount(id)).toBe(2); // it was applied
  });

  it('counts: of 20 writes, the 10 never answered are reported unknown, and all 20 are in the table', async () => {
    const id = await aSession();
    const handler = counter({ storeTimeoutMs: 500 });
    const outcomes = { acknowledged: 0, unknown: 0, other: 0 };
    for (let i = 0; i < 20; i++) {
      if (i % 2) proxy.plan({ fault: 'hold-answer', operation: 'PutItem' });
      const error = await failureOf(handler(header(id)));
      if (error === undefined) outcomes.acknowledged++;
      else if (error instanceof SessionWriteUnknownError) outcomes.unknown++;
      else outcomes.other++;
    }
    expect(outcomes).toEqual({ acknowledged: 10, unknown: 10, other: 0 });
    expect(await storedCount(id)).toBe(1 + 20); // the first write, and every one of these
  }, 30_000);

  it('is unknown when the connection resets after it was applied and the SDK has no attempt left', async () => {
    configureSessions({
      tableName: local.tableName,
      endpoint: proxy.endpoint,
      region: 'us-east-1',
      maxAttempts: 1,
    });
    const id = await aSession();
    proxy.plan({ fault: 'lose-answer', operation: 'PutItem' });

    const error = await failureOf(counter()(header(id)));

    expect(error).toBeInstanceOf(SessionWriteUnknownError);
    expect((error as Error).message).toMatch(/PutItem .* may have been applied: it was sent, and no answer/);
    expect(proxy.seen).toEqual(['GetItem', 'PutItem']);
    expect(await storedCount(id)).toBe(2);
  });

  it('is unknown for a log-out whose answer never comes, and the item is gone', async () => {
    const id = await aSession();
    const logOut = withSession(
      async () => {
        getSessionContext().destroy();
        return { statusCode: 200, headers: {} };
      },
      { storeTimeoutMs: 500 },
    );
    proxy.plan({ fault: 'hold-answer', operation: 'DeleteItem' });

    const error = await failureOf(logOut(header(id)));

    expect(error).toBeInstanceOf(SessionWriteUnknownError);
    expect(proxy.seen).toEqual(['GetItem', 'DeleteItem']);
    expect(await storedCount(id)).toBeUndefined(); // it was applied
  });

  it('is unknown after a server error: DynamoDB does not say whether it applied the write', async () => {
    const id = await aSession();
    proxy.plan({ fault: 'error500', operation: 'PutItem', times: 10 });
    const error = await failureOf(counter()(header(id)));
    expect(error).toBeInstanceOf(SessionWriteUnknownError);
    expect(((error as Error).cause as Error).name).toBe('InternalServerError');
  });
});

describe('a write that was refused or never sent', () => {
  it('is not sent when the Lambda time left is spent, and says so', async () => {
    const id = await aSession();
    let calls = 0;
    // Plenty of time for the read; then, as the handler returns, less than the reserve kept to answer.
    const context = fakeContext({ getRemainingTimeInMillis: () => (calls++ === 0 ? 10_000 : 100) });

    const error = await failureOf(counter()(header(id), context));

    expect(error).toBeInstanceOf(SessionStoreUnavailableError);
    expect(error).not.toBeInstanceOf(SessionWriteUnknownError);
    expect((error as Error).message).toMatch(/not called.*nothing was sent and nothing written/);
    expect(ran).toBe(1);
    expect(proxy.seen).toEqual(['GetItem']); // no PutItem left the function
    expect(await storedCount(id)).toBe(1);
  });

  it('is not written when DynamoDB refused every attempt (throttling)', async () => {
    configureSessions({
      tableName: local.tableName,
      endpoint: proxy.endpoint,
      region: 'us-east-1',
      maxAttempts: 2,
    });
    const id = await aSession();
    proxy.plan({ fault: 'throttle', operation: 'PutItem', times: 2 });

    const error = await failureOf(counter({ storeTimeoutMs: 20_000 })(header(id)));

    expect(error).toBeInstanceOf(SessionStoreUnavailableError);
    expect(error).not.toBeInstanceOf(SessionWriteUnknownError);
    expect((error as Error).message).toMatch(/Nothing was written/);
    expect(proxy.seen).toEqual(['GetItem', 'PutItem', 'PutItem']);
    expect(await storedCount(id)).toBe(1);
  });

  it('is not written when no connection could be made', async () => {
    const closed = await startFaultProxy(local.dynamo.endpoint);
    await closed.close();
    configureSessions({ tableName: local.tableName, endpoint: closed.endpoint, region: 'us-east-1' });

    const error = await failureOf(counter()({})); // a new session: one PutItem, refused at connect

    expect(error).toBeInstanceOf(SessionStoreUnavailableError);
    expect(error).not.toBeInstanceOf(SessionWriteUnknownError);
  });

  it('a read that times out writes nothing, and says so, not "unknown"', async () => {
    const id = await aSession();
    proxy.plan({ fault: 'stall', operation: 'GetItem' });
    const error = await failureOf(counter({ storeTimeoutMs: 300 })(header(id)));
    expect(error).toBeInstanceOf(SessionStoreUnavailableError);
    expect(error).not.toBeInstanceOf(SessionWriteUnknownError);
    expect((error as Error).message).toMatch(/did not answer in its time budget.*nothing was written/);
    expect(ran).toBe(0);
  });
});
