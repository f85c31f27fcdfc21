import { IsInt, Min } from 'class-validator';
import {
  configureSessions,
  getSessionContext,
  getSessionData,
  MemorySessionStore,
  SessionError,
  SessionValidationError,
  SessionSerializationError,
  setSessionData,
  withSession,
} from '../src';

type Response = { headers: Record<string, string>; body?: unknown };

beforeEach(() => configureSessions({ store: new MemorySessionStore() }));

describe('withSession() with getSessionData() / setSessionData()', () => {
  it("runs session-lambda's counter with a primitive value", async () => {
    const seen: unknown[] = [];
    const handler = withSession(
      async (_event: unknown): Promise<Response> => {
        seen.push(getSessionData() ?? null);
        setSessionData((getSessionData<number>() ?? 0) + 1);
        return { headers: {} };
      },
      { update: true },
    );
    const id = (await handler({ headers: {} })).headers['session-id']!;
    for (let i = 0; i < 3; i++) await handler({ headers: { 'session-id': id } });
    await handler({ headers: {} });
    expect(seen).toEqual([null, 1, 2, 3, null]);
  });

  it('keeps concurrent invocations apart', async () => {
    const handler = withSession(
      async (event: { n: number; headers: Record<string, string> }): Promise<Response> => {
        setSessionData(event.n);
        await new Promise((resolve) => setTimeout(resolve, 10 * (5 - event.n)));
        return { headers: {}, body: getSessionData() };
      },
      { update: true },
    );
    const responses = await Promise.all([1, 2, 3, 4].map((n) => handler({ n, headers: {} })));
    expect(responses.map((r) => r.body)).toEqual([1, 2, 3, 4]);
  });

  it('hydrates and validates into a class when given `type`', async () => {
    class Score {
      @IsInt() @Min(0) points = 0;
    }
    const handler = withSession(
      async (event: { delta: number }): Promise<Response> => {
        getSessionData<Score>().points += event.delta;
        return { headers: {}, body: getSessionData() instanceof Score };
      },
      { type: Score, update: true },
    );
    expect((await handler({ delta: 2 })).body).toBe(true);
    await expect(handler({ delta: -5 })).rejects.toBeInstanceOf(SessionValidationError);
  });

  it('validates a plain object that replaced the instance', async () => {
    class Score {
      @IsInt() @Min(0) points = 0;
    }
    const handler = withSession(
      async (_event: unknown): Promise<Response> => {
        setSessionData({ points: -1 });
        return { headers: {} };
      },
      { type: Score },
    );
    await expect(handler({})).rejects.toThrow(/points: points must not be less than 0/);
  });

  it('refuses a value that is no object for a class, as the root of the data', async () => {
    class Score {
      @IsInt() @Min(0) points = 0;
    }
    const handler = withSession(
      async (_event: unknown): Promise<Response> => {
        setSessionData(42);
        return { headers: {} };
      },
      { type: Score },
    );
    const error = await handler({}).catch((e: unknown) => e);
    // Since data that JSON or the class cannot hold is a SessionSerializationError (nothing written).
    expect(error).toBeInstanceOf(SessionSerializationError);
    expect((error as Error).message).toMatch(/to end the session, call destroy\(\)/);
  });

  it('gives the handler its session lifecycle through getSessionContext()', async () => {
    const issue = withSession(async (_event: unknown): Promise<Response> => ({ headers: {} }));
    const id = (await issue({})).headers['session-id']!;
    const logOut = withSession(async (_event: unknown): Promise<Response> => {
      const session = getSessionContext();
      const seen = { id: session.id, isNew: session.isNew };
      session.destroy();
      return { headers: {}, body: seen };
    });

    const response = await logOut({ headers: { 'session-id': id } });

    expect(response.body).toEqual({ id, isNew: false });
    expect(response.headers['session-id']).toBeUndefined(); // destroy() took effect: no id sent back
  });

  it('says so when getSessionData() is called outside a session', () => {
    expect(() => getSessionData()).toThrow(SessionError);
    expect(() => setSessionData(1)).toThrow(/outside a session/);
  });

  it('says so when getSessionContext() is called outside a session', () => {
    expect(() => getSessionContext()).toThrow(SessionError);
    expect(() => getSessionContext()).toThrow(/getSessionContext\(\) was called outside a session/);
  });
});
