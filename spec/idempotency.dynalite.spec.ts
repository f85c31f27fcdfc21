// Writes whose answer is lost, against dynalite in-process (or moto_server with DYNAMO_BACKEND=moto) behind a
// fault proxy, and behind a variant of the proxy that returns the old item on a failed condition (as DynamoDB
// and moto do, dynalite not): the SDK sends such a write again, and it must apply once: stored ==
// acknowledged, in both conflict modes. And the races of log-in and log-out: a stale copy never replaces newer
// data, a logged-out session never comes back. And a conflict retry retries the session it was asked for, not
// the one whose write lost (a new or regenerated id).
import { randomBytes } from 'node:crypto';
import { IsInt, IsOptional, IsString, Min } from 'class-validator';
import {
  configureSessions,
  DynamoDBSessionStore,
  getSessionContext,
  getSessionData,
  hashSessionId,
  listSessions,
  MemorySessionStore,
  SessionConflictError,
  type SessionStore,
  type StoredSession,
  withSession,
} from '../src';
import { generateSessionId } from '../src/session-id';
import { getItem, scanTable, useSessionTable } from './support/dynalite';
import { dynamoBackend, startDynamoBackend } from './support/dynamo-backend';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy';

class Counter {
  @IsInt() @Min(0) n = 0;
}

const local = useSessionTable(startDynamoBackend);
const header = (id: string) => ({ headers: { 'session-id': id } });
const storedCount = async (id: string) => {
  const item = await getItem(local.dynamo.client, local.tableName, hashSessionId(id));
  return (JSON.parse(item!.value!.S!) as Counter).n;
};

describe.each([
  [dynamoBackend, false],
  ['the old item returned on a failed condition', true],
])('twenty increments, each with its first answer lost (%s)', (_name, oldItem) => {
  let proxy: FaultProxy;
  beforeEach(async () => {
    proxy = await startFaultProxy(local.dynamo.endpoint, { oldItemOnConditionFailure: oldItem });
    configureSessions({ tableName: local.tableName, endpoint: proxy.endpoint, region: 'us-east-1' });
  });
  afterEach(() => proxy.close());

  it.each(['throw', 'retry'] as const)(
    'stores exactly what was acknowledged with onConflict: %s',
    async (mode) => {
      const increment = withSession(
        async (_event: unknown) => {
          getSessionData<Counter>().n += 1;
          return { statusCode: 200, headers: {} as Record<string, string> };
        },
        { type: Counter, update: true, onConflict: mode },
      );
      const id = (await increment({ headers: {} })).headers['session-id']!;
      let acknowledged = 1;
      for (let i = 0; i < 20; i++) {
        proxy.plan({ fault: 'lose-answer', operation: 'PutItem' });
        await increment(header(id));
        acknowledged++;
      }
      expect(proxy.seen.filter((op) => op === 'PutItem').length).toBeGreaterThanOrEqual(2 * 20);
      expect(await storedCount(id)).toBe(acknowledged);
    },
    // 20 lost answers, each write sent again after the SDK's backoff: 1-2 s on dynalite, up to 4.3 s on moto
    // (one request at a time) on a busy machine, too near jest's default 5 s.
    30_000,
  );

  it('creates a new session whose answer was lost once, with no conflict and no orphan', async () => {
    const create = withSession(async () => ({ statusCode: 200, headers: {} as Record<string, string> }), {
      type: Counter,
    });
    proxy.plan({ fault: 'lose-answer', operation: 'PutItem' });
    const id = (await create({ headers: {} })).headers['session-id']!;
    const items = await scanTable(local.dynamo.client, local.tableName);
    expect(items.map((item) => item.key?.S)).toEqual([hashSessionId(id)]);
  });
});

class UserSession {
  @IsOptional() @IsString() user?: string;
  @IsOptional() @IsString() note?: string;
}

/** A promise and the function that settles it: a gate a handler waits at while another request runs. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe.each<[string, () => SessionStore | undefined]>([
  ['the memory store', () => new MemorySessionStore()],
  [dynamoBackend, () => undefined],
])('log-in and log-out racing other requests (%s)', (_name, makeStore) => {
  let store: SessionStore | undefined;
  beforeEach(() => {
    store = makeStore();
    configureSessions(store ? { store } : { tableName: local.tableName, client: local.dynamo.client });
  });
  const load = (id: string) =>
    (store ?? { load: async (key: string) => getItem(local.dynamo.client, local.tableName, key) }).load(
      hashSessionId(id),
    );

  const note = withSession(
    async (_e: unknown) => {
      const data = getSessionData<UserSession>();
      data.note = `${data.note ?? ''}A`; // a change on every call
      return { statusCode: 200, headers: {} as Record<string, string> };
    },
    { type: UserSession, update: true },
  );
  const logOut = withSession(
    async (_e: unknown) => {
      getSessionContext().destroy();
      return { statusCode: 204, headers: {} as Record<string, string> };
    },
    { type: UserSession },
  );
  const logInHeldAt = (held: Promise<void>) =>
    withSession(
      async (_e: unknown) => {
        getSessionData<UserSession>().user = 'ada';
        getSessionContext().regenerate();
        await held; // B has read the session; another request runs now
        return { statusCode: 204, headers: {} as Record<string, string> };
      },
      { type: UserSession, update: true },
    );

  it('a log-in from a stale copy loses to a write acknowledged meanwhile, and writes no new id', async () => {
    const id = (await note({ headers: {} })).headers['session-id']!;
    const { opened, open } = gate();
    const logIn = logInHeldAt(opened)(header(id));
    await new Promise((resolve) => setImmediate(resolve));
    await note(header(id)); // A: acknowledged
    open();
    await expect(logIn).rejects.toBeInstanceOf(SessionConflictError);
    const item = await load(id);
    expect(JSON.stringify(item)).toContain('AA'); // A's acknowledged write is still there
    const count = store
      ? (store as MemorySessionStore).size
      : (await scanTable(local.dynamo.client, local.tableName)).length;
    expect(count).toBe(1); // and no new id was written
  });

  it('a log-in racing a log-out does not bring the session back under a new id', async () => {
    const id = (await note({ headers: {} })).headers['session-id']!;
    const { opened, open } = gate();
    const logIn = logInHeldAt(opened)(header(id));
    await new Promise((resolve) => setImmediate(resolve));
    await logOut(header(id)); // the user logs out in another tab
    open();
    await expect(logIn).rejects.toBeInstanceOf(SessionConflictError);
    expect(await load(id)).toBeUndefined();
    const count = store
      ? (store as MemorySessionStore).size
      : (await scanTable(local.dynamo.client, local.tableName)).length;
    expect(count).toBe(0);
  });
});

class Device {
  @IsOptional() @IsString() device?: string;
  @IsOptional() @IsString() user?: string;
  @IsInt() @Min(0) n = 0;
}

const ID_SECRET = randomBytes(32).toString('base64url');

describe.each([
  [dynamoBackend, false],
  ['the old item returned on a failed condition', true],
])(
  "a conflict retry retries the session it was asked for, with onConflict: 'retry' (%s)",
  (_name, oldItem) => {
    let proxy: FaultProxy;
    let store: DynamoDBSessionStore;
    beforeEach(async () => {
      proxy = await startFaultProxy(local.dynamo.endpoint, { oldItemOnConditionFailure: oldItem });
      store = new DynamoDBSessionStore({
        tableName: local.tableName,
        endpoint: proxy.endpoint,
        region: 'us-east-1',
      });
    });
    afterEach(() => proxy.close());

    it('two devices logging in at once as one user: each its own session, neither on the other one’s data', async () => {
      configureSessions({ store, idSecret: ID_SECRET });
      const visit = (device: string) =>
        withSession(
          async (_e: unknown) => {
            getSessionData<Device>().device = device;
            return { statusCode: 200, headers: {} as Record<string, string> };
          },
          { type: Device },
        );
      const runs: { device: string; saw: string | undefined }[] = [];
      const logIn = (device: string) =>
        withSession(
          async (_e: unknown) => {
            const data = getSessionData<Device>();
            runs.push({ device, saw: data.device });
            data.user = 'ada';
            getSessionContext().regenerate({ owner: 'ada', label: device });
            return { statusCode: 200, headers: {} as Record<string, string> };
          },
          { type: Device, update: true, onConflict: 'retry' },
        );
      const phone = (await visit('phone')({ headers: {} })).headers['session-id']!;
      const laptop = (await visit('laptop')({ headers: {} })).headers['session-id']!;

      const [first, second] = await Promise.all([
        logIn('phone')(header(phone)),
        logIn('laptop')(header(laptop)),
      ]);

      for (const run of runs) expect(run.saw).toBe(run.device);
      expect(first.headers['session-id']).not.toBe(second.headers['session-id']);
      const devices = await listSessions('ada', { store, idSecret: ID_SECRET });
      expect(devices.map((d) => d.label).sort()).toEqual(['laptop', 'phone']);
    });

    it('an expired id whose new session lost its first answer: the id returned is the new one, holding the data', async () => {
      configureSessions({ store });
      const increment = withSession(
        async (_e: unknown) => {
          getSessionData<Counter>().n += 1;
          return { statusCode: 200, headers: {} as Record<string, string> };
        },
        { type: Counter, update: true, onConflict: 'retry' },
      );
      const expired = generateSessionId();
      const threeHoursAgo = Date.now() - 3 * 3600 * 1000; // past the default 2 h idle timeout
      await store.save(storedCounter(hashSessionId(expired), 41, threeHoursAgo), undefined);
      proxy.plan({ fault: 'lose-answer', operation: 'PutItem' });

      const id = (await increment(header(expired))).headers['session-id']!;

      expect(id).not.toBe(expired);
      expect(await storedCount(id)).toBe(1);
      const keys = (await scanTable(local.dynamo.client, local.tableName)).map((item) => item.key?.S);
      expect(keys.sort()).toEqual([hashSessionId(expired), hashSessionId(id)].sort()); // no orphan
    });
  },
);

/** A counter session as a store holds it, last used `at`. */
function storedCounter(key: string, n: number, at: number): StoredSession {
  return {
    key,
    data: JSON.stringify({ n }),
    createdAt: at,
    updatedAt: at,
    version: 1,
    expiresAt: at + 2 * 3600 * 1000,
    schemaVersion: 1,
  };
}
