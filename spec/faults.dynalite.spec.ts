// Faults between the function and DynamoDB, injected by a loopback proxy in front of dynalite (or moto_server
// with DYNAMO_BACKEND=moto): nothing stored is lost or changed, nothing hangs past its budget, every failure
// is a typed error.
import { IsInt, Min } from 'class-validator';
import {
  configureSessions,
  hashSessionId,
  lambdaHandler,
  Session,
  SessionData,
  type SessionOptions,
  SessionResponseError,
  SessionStoreUnavailableError,
  SessionWriteUnknownError,
} from '../src';
import { getItem, useSessionTable } from './support/dynalite';
import { startDynamoBackend } from './support/dynamo-backend';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy';
import { fakeContext, withFakeContext } from './support/lambda';

class Counter {
  @IsInt() @Min(0) n = 0;
}

type Response = { statusCode: number; headers: Record<string, string>; body: string };

let ran = 0;
/** A counting handler; `respond` replaces its response (a malformed one, a throw). */
function counter<R = Response>(options: SessionOptions = {}, respond?: () => R) {
  class Handler {
    @Session({ update: true, ...options })
    async handle(_e: unknown, @SessionData() c: Counter): Promise<R | Response> {
      ran++;
      c.n += 1;
      return respond ? respond() : { statusCode: 200, headers: {}, body: String(c.n) };
    }
  }
  return withFakeContext(lambdaHandler(new Handler(), 'handle'));
}

const local = useSessionTable(startDynamoBackend);
let proxy: FaultProxy;
beforeEach(async () => {
  proxy = await startFaultProxy(local.dynamo.endpoint);
  // The library's own client, pointed at the proxy: the SDK's retries and our time budget are what is tested.
  configureSessions({ tableName: local.tableName, endpoint: proxy.endpoint, region: 'us-east-1' });
  ran = 0;
});
afterEach(() => proxy.close());

const header = (id: string) => ({ headers: { 'session-id': id } });
const storedItem = (id: string) => getItem(local.dynamo.client, local.tableName, hashSessionId(id));
async function aSession(): Promise<string> {
  const id = (await counter()({})).headers['session-id']!;
  ran = 0;
  proxy.seen.length = 0;
  return id;
}
async function failure(run: Promise<unknown>): Promise<SessionStoreUnavailableError> {
  const error = await run.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SessionStoreUnavailableError);
  return error as SessionStoreUnavailableError;
}

describe('throttling and server errors', () => {
  it.each(['throttle', 'throttling', 'error500', 'reset'] as const)(
    'retries a passing %s and succeeds',
    async (fault) => {
      const id = await aSession();
      proxy.plan({ fault, operation: 'GetItem', times: 2 });
      expect((await counter()(header(id))).body).toBe('2');
      expect(proxy.seen).toEqual(['GetItem', 'GetItem', 'GetItem', 'PutItem']);
    },
  );

  it('gives up after the bounded attempts, does not run the handler, and names the cause', async () => {
    const id = await aSession();
    proxy.plan({ fault: 'throttle', operation: 'GetItem', times: 10 });
    // The SDK's throttling backoff is random and can near 3 s over three attempts: a budget that cannot cut it.
    const error = await failure(counter({ storeTimeoutMs: 20_000 })(header(id)));
    expect((error.cause as Error).name).toBe('ProvisionedThroughputExceededException');
    expect(error.message).toMatch(/GetItem on table .* failed/);
    expect(proxy.seen).toEqual(['GetItem', 'GetItem', 'GetItem']);
    expect(ran).toBe(0); // fail closed: no handler without its session
  });

  it('fails the invocation when the write fails after the handler ran, and the stored session is as before', async () => {
    const id = await aSession();
    const before = await storedItem(id);
    proxy.plan({ fault: 'error500', operation: 'PutItem', times: 10 });
    await failure(counter()(header(id)));
    expect(ran).toBe(1);
    expect(await storedItem(id)).toEqual(before);
  });

  it('writes nothing when the handler throws, faults or not', async () => {
    const id = await aSession();
    const before = await storedItem(id);
    proxy.plan({ fault: 'error500', times: 1 });
    const throwing = counter({}, () => {
      throw new Error('handler failed');
    });
    await expect(throwing(header(id))).rejects.toThrow('handler failed');
    expect(proxy.seen.filter((op) => op !== 'GetItem')).toEqual([]);
    expect(await storedItem(id)).toEqual(before);
  });
});

describe('stalls and unreachable endpoints', () => {
  it('fails a stalled read within storeTimeoutMs', async () => {
    const id = await aSession();
    proxy.plan({ fault: 'stall', operation: 'GetItem' });
    const started = Date.now();
    const error = await failure(counter({ storeTimeoutMs: 300 })(header(id)));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error.message).toMatch(/did not answer in its time budget/);
    expect(ran).toBe(0);
  });

  it('cuts the budget to the Lambda time left, keeping a reserve to answer', async () => {
    const id = await aSession();
    proxy.plan({ fault: 'stall', operation: 'GetItem' });
    const deadline = Date.now() + 800;
    const context = fakeContext({ getRemainingTimeInMillis: () => deadline - Date.now() });
    const started = Date.now();
    await failure(counter({ storeTimeoutMs: 30_000 })(header(id), context));
    expect(Date.now() - started).toBeLessThan(800);
  });

  it('fails a stalled write within its budget, leaving the stored session as it was', async () => {
    const id = await aSession();
    const before = await storedItem(id);
    proxy.plan({ fault: 'stall', operation: 'PutItem' });
    const started = Date.now();
    // A budget the read fits in even on moto (one request at a time) on a busy machine: the write is what stalls.
    const error = await failure(counter({ storeTimeoutMs: 1_500 })(header(id)));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error).toBeInstanceOf(SessionWriteUnknownError); // sent, unanswered: the caller cannot know
    expect(await storedItem(id)).toEqual(before);
  });

  it('fails fast on an endpoint nobody listens on', async () => {
    const closed = await startFaultProxy(local.dynamo.endpoint);
    const endpoint = closed.endpoint;
    await closed.close();
    configureSessions({ tableName: local.tableName, endpoint, region: 'us-east-1' });
    const started = Date.now();
    const error = await failure(counter()({}));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(String((error.cause as Error).message ?? error.cause)).toMatch(/ECONNREFUSED|connect/);
  });
});

describe('malformed handler responses', () => {
  it.each([
    ['headers that are a string', { statusCode: 200, headers: 'session-id: x' }],
    ['multiValueHeaders that are an array', { statusCode: 200, multiValueHeaders: ['a'] }],
    ['cookies that are a string', { statusCode: 200, cookies: 'a=b' }],
  ])('refuse %s with a clear error, before anything is written', async (_label, response) => {
    const id = await aSession();
    const before = await storedItem(id);
    const error = await counter({}, () => response)(header(id)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionResponseError);
    expect((error as Error).message).toMatch(
      /The handler's response has ".*" of type .*: the session id cannot be added/,
    );
    expect(proxy.seen).toEqual(['GetItem']);
    expect(await storedItem(id)).toEqual(before);
  });

  it('refuses a second Set-Cookie on a single-value ALB before writing', async () => {
    const alb = { requestContext: { elb: {} }, headers: {} };
    const error = await counter({ cookie: true }, () => ({
      statusCode: 200,
      headers: { 'Set-Cookie': 'theme=dark' },
    }))(alb).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionResponseError);
    expect(proxy.seen).toEqual([]);
  });
});
