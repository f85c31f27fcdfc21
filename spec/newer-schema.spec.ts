// Old code never destroys newer data: a session that a later deployment wrote (a higher schema `version`), met
// by the code of an earlier one (a rollback, or two versions live side by side), on the memory store. Through
// every write path (update, slide, regenerate, reset, retry), the item stays as the later deployment wrote it;
// only log-out deletes it.
import { IsString } from 'class-validator';
import {
  configureSessions,
  sessionRef,
  getSessionContext,
  getSessionData,
  hashSessionId,
  MemorySessionStore,
  Session,
  SessionContext,
  type SessionContext as Lifecycle,
  SessionData,
  SessionNewerSchemaError,
  type SessionOptions,
  SessionValidationError,
  setSessionData,
  type StoredSession,
  withSession,
} from '../src';
import { type SessionLambdaContext, sessionMiddleware } from '../src/middy';

// Deployment 1 (the code under test) reads `name`; deployment 2 renamed it `fullName` and stored version 2.
class ProfileV1 {
  @IsString() name = 'anonymous';
}

const ID = 'B'.repeat(43); // the shape of a server-issued id
const event = (id = ID) => ({ headers: { 'session-id': id } });
type Response = { statusCode: number; headers: Record<string, string> };
const ok = (): Response => ({ statusCode: 200, headers: {} });

const T0 = Date.now();
/** The item deployment 2 wrote for `id`. */
const writtenByV2 = (id = ID, overrides: Partial<StoredSession> = {}): StoredSession => ({
  key: hashSessionId(id),
  data: JSON.stringify({ fullName: 'Ada Lovelace' }),
  createdAt: T0 - 3_600_000,
  updatedAt: T0 - 1_800_000, // past touchAfter (12 min): an invocation that reads it would slide it
  version: 4,
  expiresAt: T0 + 1_800_000,
  schemaVersion: 2,
  ...overrides,
});

let store: MemorySessionStore;
let ran: number;
beforeEach(async () => {
  store = new MemorySessionStore();
  configureSessions({ store });
  await store.save(writtenByV2(), undefined);
  ran = 0;
});
const item = (id = ID) => store.load(hashSessionId(id));

/** Deployment 1's usual handler: the data as a @SessionData() parameter. */
function decorated(options: SessionOptions) {
  class Handler {
    @Session(options)
    async handle(_event: unknown, @SessionData() profile: ProfileV1): Promise<Response> {
      ran++;
      profile.name = 'changed by v1';
      return ok();
    }
  }
  const handler = new Handler();
  return (e: unknown) => handler.handle(e, undefined as unknown as ProfileV1);
}

describe('a session a later deployment wrote, read by this one', () => {
  it.each([
    ['update: false', { update: false }],
    ['update: true', { update: true }],
  ])(
    "is never reset by onInvalidStored: 'reset' (%s): refused before the method runs, the item untouched",
    async (_name, options) => {
      const error = await decorated({ ...options, onInvalidStored: 'reset' })(event()).catch(
        (e: unknown) => e,
      );

      expect(error).toBeInstanceOf(SessionNewerSchemaError);
      expect(error).toBeInstanceOf(SessionValidationError); // one family: a catch of the load errors still holds
      expect((error as SessionNewerSchemaError).source).toBe('store');
      expect(ran).toBe(0);
      expect(await item()).toEqual(writtenByV2());
      expect(store.size).toBe(1);
    },
  );

  it("says a later deployment wrote it and that this code leaves it alone, without recommending 'reset'", async () => {
    const warnings: unknown[][] = [];
    const logger = { debug() {}, info() {}, warn: (...args: unknown[]) => void warnings.push(args) };

    const error = (await decorated({ logger })(event()).catch((e: unknown) => e)) as SessionNewerSchemaError;

    expect(warnings).toEqual([
      [
        'lambda-sessions: session written by a later deployment, left as it is',
        { session: sessionRef(hashSessionId(ID)), storedVersion: 2, readsVersion: 1 },
      ],
    ]);

    expect(error.message).toMatch(
      /schema version 2, newer than this code's 1 \(written by a later deployment\)/,
    );
    expect(error.message).toMatch(/will not reset, overwrite or slide it/);
    expect(error.message).not.toMatch(/onInvalidStored: 'reset' to start/);
    expect(error.storedVersion).toBe(2);
    expect(error.readsVersion).toBe(1);
    expect(error.sessionRef).toBe(sessionRef(hashSessionId(ID)));
  });

  it('cannot be read or replaced through getSessionData() / setSessionData(); nothing is written', async () => {
    const outcomes: string[] = [];
    const handler = withSession(
      async () => {
        for (const attempt of [() => getSessionData(), () => setSessionData(new ProfileV1())]) {
          try {
            attempt();
            outcomes.push('allowed');
          } catch (error) {
            outcomes.push((error as Error).name);
          }
        }
        return ok();
      },
      { type: ProfileV1, update: true, onInvalidStored: 'reset' },
    );

    await handler(event());

    expect(outcomes).toEqual(['SessionNewerSchemaError', 'SessionNewerSchemaError']);
    expect(await item()).toEqual(writtenByV2());
  });

  it('is not slid by a handler that never reads it: its expiry and updatedAt stay the later deployment’s', async () => {
    const handler = withSession(async () => ok(), { type: ProfileV1 });

    const response = await handler(event());

    expect(response.headers['session-id']).toBe(ID);
    expect(await item()).toEqual(writtenByV2());
  });

  it('is deleted by log-out: destroy() works on it, through withSession() and @SessionContext()', async () => {
    const logOut = withSession(
      async () => {
        getSessionContext().destroy();
        return ok();
      },
      { type: ProfileV1 },
    );
    await logOut(event());
    expect(await item()).toBeUndefined();

    await store.save(writtenByV2(), undefined);
    class Handler {
      @Session({})
      async logOut(_event: unknown, @SessionContext() session: Lifecycle): Promise<Response> {
        session.destroy();
        return ok();
      }
    }
    const handler = new Handler();
    await handler.logOut(event(), undefined as unknown as Lifecycle);
    expect(await item()).toBeUndefined();
  });

  it('is deleted by log-out behind the middy middleware, whose context.session.data throws', async () => {
    const middleware = sessionMiddleware({ type: ProfileV1 });
    const request = {
      event: event(),
      context: {} as SessionLambdaContext<ProfileV1>,
      response: ok() as unknown,
      error: null,
    };
    await middleware.before(request);
    expect(() => request.context.session.data).toThrow(SessionNewerSchemaError);
    request.context.session.lifecycle.destroy();
    await middleware.after(request);

    expect(await item()).toBeUndefined();
  });

  it("is not copied under a new id by regenerate(), even after onInvalidStored: 'reset': refused, nothing written", async () => {
    const logIn = withSession(
      async () => {
        getSessionContext().regenerate();
        return ok();
      },
      { type: ProfileV1, onInvalidStored: 'reset' },
    );

    await expect(logIn(event())).rejects.toThrow(SessionNewerSchemaError);

    expect(await item()).toEqual(writtenByV2());
    expect(store.size).toBe(1);
  });

  it('lost a race to it: the retry is refused, and the later deployment’s write stands', async () => {
    // Deployment 1's own session, which deployment 2 rewrites while deployment 1's handler runs.
    const mine = 'C'.repeat(43);
    const v1Item = writtenByV2(mine, { data: JSON.stringify({ name: 'ada' }), schemaVersion: 1, version: 1 });
    await store.save(v1Item, undefined);
    const v2Write = writtenByV2(mine, { version: 2 });
    const handler = withSession(
      async () => {
        ran++;
        if (ran === 1) await store.save(v2Write, 1);
        getSessionData<ProfileV1>().name = 'grace';
        return ok();
      },
      { type: ProfileV1, update: true, onConflict: 'retry', onInvalidStored: 'reset' },
    );

    await expect(handler(event(mine))).rejects.toThrow(SessionNewerSchemaError);

    expect(ran).toBe(2);
    expect(await item(mine)).toEqual(v2Write);
  });
});
