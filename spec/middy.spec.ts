// The middy adapter, driven in middy's order (before, handler, after | onError). middy itself is ESM-only and
// jest runs CommonJS here, so the real `middy().use(...)` run lives in the pack check (scripts/pack-check.sh).
import { IsInt, Min } from 'class-validator';
import {
  configureSessions,
  getSessionData,
  MemorySessionStore,
  SessionError,
  SessionValidationError,
} from '../src';
import { type SessionLambdaContext, sessionMiddleware, type SessionMiddleware } from '../src/middy';
import { sessionScope } from '../src/current-session';
import { CountingStore } from './support/counting-store';

class Counter {
  @IsInt() @Min(0) n = 0;
}

type Handler = (event: unknown, context: SessionLambdaContext<Counter>) => Promise<unknown>;

/** What middy's core does with one middleware around a handler. */
async function middyLike(middleware: SessionMiddleware, handler: Handler, event: unknown) {
  const request = {
    event,
    context: {} as SessionLambdaContext<Counter>,
    response: undefined as unknown,
    error: null,
  };
  try {
    await middleware.before(request);
    request.response = await handler(request.event, request.context);
    await middleware.after(request);
    return request.response as { headers: Record<string, string>; body: string };
  } catch (error) {
    middleware.onError(request);
    throw error;
  }
}

const increment: Handler = async (_event, context) => {
  context.session.data.n += 1;
  return { statusCode: 200, headers: {}, body: String(context.session.data.n) };
};

beforeEach(() => configureSessions({ store: new MemorySessionStore() }));

describe('sessionMiddleware', () => {
  it('puts a hydrated session on context.session and writes it in after', async () => {
    const middleware = sessionMiddleware({ type: Counter, update: true });
    const first = await middyLike(middleware, increment, {});
    const id = first.headers['session-id']!;
    const second = await middyLike(middleware, increment, { headers: { 'session-id': id } });
    expect([first.body, second.body]).toEqual(['1', '2']);
  });

  it('has the session on context.session, and getSessionData() says so rather than answer wrongly', async () => {
    const middleware = sessionMiddleware({ type: Counter, update: true });
    let thrown: unknown;
    await middyLike(
      middleware,
      async (event, context) => {
        try {
          getSessionData();
        } catch (error) {
          thrown = error;
        }
        return increment(event, context);
      },
      {},
    );
    expect(thrown).toBeInstanceOf(SessionError);
    expect((thrown as Error).message).toMatch(/middy middleware, read context\.session\.data/);
  });

  it('enters no AsyncLocalStorage scope, which would turn on promise hooks for the whole process', async () => {
    const enter = jest.spyOn(sessionScope, 'run');
    try {
      const first = await middyLike(sessionMiddleware({ type: Counter, update: true }), increment, {});
      expect(first.body).toBe('1');
      expect(enter).not.toHaveBeenCalled();
    } finally {
      enter.mockRestore();
    }
  });

  it('writes nothing when the handler throws', async () => {
    const store = new CountingStore();
    const middleware = sessionMiddleware({ type: Counter, update: true, store });
    const failing: Handler = async (event, context) => {
      await increment(event, context);
      throw new Error('boom');
    };
    await expect(middyLike(middleware, failing, {})).rejects.toThrow('boom');
    expect(store.calls).toEqual([]);
  });

  it('validates before writing', async () => {
    const middleware = sessionMiddleware({ type: Counter });
    const breaking: Handler = async (_e, context) => {
      context.session.data.n = -1;
      return { statusCode: 200, headers: {} };
    };
    await expect(middyLike(middleware, breaking, {})).rejects.toBeInstanceOf(SessionValidationError);
  });

  it('lets the handler replace plain data and reach the lifecycle', async () => {
    const store = new CountingStore();
    const middleware = sessionMiddleware({ store });
    const response = await middyLike(
      middleware,
      async (_e, context) => {
        (context.session as { data: unknown }).data = 'plain value';
        context.session.lifecycle.destroy();
        return { statusCode: 200, headers: {} };
      },
      {},
    );
    expect(response.headers['session-id']).toBeUndefined();
    expect(store.calls).toEqual([]); // a destroyed new session writes nothing
  });

  it("refuses onConflict: 'retry', which middy cannot do", () => {
    expect(() => sessionMiddleware({ onConflict: 'retry' as never })).toThrow(/cannot/);
  });
});
