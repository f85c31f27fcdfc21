// Cookies and the session lifecycle on every event kind: round trips, log-in, log-out, derived ids, and a
// configured cookie with a handler's `cookie: true`.
import { type APIGatewayProxyEventV2 } from 'aws-lambda';
import { IsOptional, IsString } from 'class-validator';
import {
  hashSessionId,
  lambdaHandler,
  Session,
  SessionContext,
  SessionData,
  SessionError,
  type SessionOptions,
} from '../../src';
import { detectEventKind } from '../../src/transport/event-kind';
import { type EngineStore, plant } from '../support/engine-store';
import {
  cookieValue,
  eventWithCookie,
  eventWithHeader,
  fixtureNames,
  httpApiEvent,
  setCookies,
} from '../support/events';
import { withFakeContext } from '../support/lambda';

class UserSession {
  @IsOptional() @IsString() user?: string;
  @IsOptional() @IsString() theme?: string;
}

type Action = (data: UserSession, session: SessionContext) => void;
type Invoke = (event: unknown) => Promise<Record<string, unknown>>;

function handler(options: SessionOptions, act: Action = () => {}): Invoke {
  class Handler {
    @Session({ update: true, ...options })
    async handle(
      _event: unknown,
      @SessionData() data: UserSession,
      @SessionContext() session: SessionContext,
    ) {
      act(data, session);
      return { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: JSON.stringify(data) };
    }
  }
  return withFakeContext(lambdaHandler(new Handler(), 'handle'));
}

const COOKIE = { name: '__Host-sid' };
const header = (id: string) => ({ headers: { 'session-id': id } });
const issuedId = (response: Record<string, unknown>) =>
  (response.headers as Record<string, string>)['session-id']!;

// The README's own examples combined: a __Host- cookie configured once, `cookie: true` on the log-in and
// log-out handlers. Log-out must clear the cookie log-in set, and the old id must be dead.
// As the README writes them, but for checkPassword.
class AuthHandler {
  @Session({ update: true, cookie: true })
  async logIn(
    _event: APIGatewayProxyEventV2,
    @SessionData() user: UserSession,
    @SessionContext() session: SessionContext,
  ) {
    user.user = 'ada';
    session.regenerate();
    return { statusCode: 204 };
  }

  @Session({ cookie: true })
  async logOut(_event: APIGatewayProxyEventV2, @SessionContext() session: SessionContext) {
    session.destroy();
    return { statusCode: 204 };
  }

  @Session({ cookie: true })
  async whoAmI(
    _event: APIGatewayProxyEventV2,
    @SessionData() user: UserSession,
    @SessionContext() session: SessionContext,
  ) {
    return { statusCode: 200, body: JSON.stringify({ name: user.user ?? null, isNew: session.isNew }) };
  }
}

const auth = new AuthHandler();
const authLogIn = withFakeContext(lambdaHandler(auth, 'logIn'));
const authLogOut = withFakeContext(lambdaHandler(auth, 'logOut'));
const whoAmI = withFakeContext(lambdaHandler(auth, 'whoAmI'));

/** An HTTP API request carrying one cookie. */
const withCookie = (name: string, value: string) => ({ ...httpApiEvent(), cookies: [`${name}=${value}`] });

const CONFIGURED = '__Host-session';

// WebSocket events are read, but a handshake response carries no Set-Cookie: no cookie round trip there.
const httpFixtures = fixtureNames().filter((name) => !name.startsWith('websocket'));

export function describeLifecycleRules(local: EngineStore): void {
  /** Expects the store to hold exactly the sessions of `ids`. */
  const expectHeld = async (...ids: string[]) => {
    expect(await local.count()).toBe(ids.length);
    for (const id of ids) expect(await local.store.load(hashSessionId(id))).toBeDefined();
  };

  describe('a cookie round trip on every event kind', () => {
    it.each(httpFixtures)(
      '%s: Set-Cookie with the defaults, then the cookie finds the session',
      async (name) => {
        const kind = detectEventKind(eventWithCookie(name, 'x', 'y'));
        const setTheme = handler({ cookie: COOKIE }, (data) => (data.theme ??= 'dark'));
        const first = await setTheme(eventWithCookie(name, 'unrelated', 'cookie'));
        const id = cookieValue(first, '__Host-sid')!;
        expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
        const line = setCookies(first).find((c) => c.startsWith('__Host-sid='))!;
        expect(line).toMatch(/; Max-Age=7200; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
        // The id stays out of readable headers: the request did not use the header transport.
        const readable = Object.entries({
          ...(first.headers as object),
          ...(first.multiValueHeaders as object),
        });
        expect(JSON.stringify(readable.filter(([key]) => key.toLowerCase() !== 'set-cookie'))).not.toContain(
          id,
        );

        const second = await handler(
          { cookie: COOKIE },
          (data) => (data.theme = `${data.theme}-${kind}`),
        )(eventWithCookie(name, '__Host-sid', id));
        expect(JSON.parse(second.body as string)).toEqual({ theme: `dark-${kind}` });
        expect(cookieValue(second, '__Host-sid')).toBe(id);
        await expectHeld(id);
      },
    );
  });

  describe('a header round trip on every event kind', () => {
    it.each(fixtureNames())('%s: the id header finds the session', async (name) => {
      const first = await handler(
        {},
        (data) => (data.theme = 'light'),
      )(eventWithHeader(name, 'session-id', 'x'));
      const headers = (first.headers ?? {}) as Record<string, string>;
      const multi = (first.multiValueHeaders ?? {}) as Record<string, string[]>;
      const id = headers['session-id'] ?? multi['session-id']?.[0];
      expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const second = await handler({})(eventWithHeader(name, 'session-id', id!));
      expect(JSON.parse(second.body as string)).toEqual({ theme: 'light' });
    });

    it('answers a header client in the header too when cookies are on', async () => {
      const id = cookieValue(
        await handler({ cookie: COOKIE }, (data) => (data.theme = 'dark'))({ version: '2.0', headers: {} }),
        '__Host-sid',
      )!;
      expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const second = await handler({ cookie: COOKIE })(eventWithHeader('apigw-http-v2', 'session-id', id));
      expect((second.headers as Record<string, string>)['session-id']).toBe(id);
    });
  });

  describe('log-in and log-out', () => {
    const v2 = 'apigw-http-v2';
    const logIn = handler({ cookie: COOKIE }, (data, session) => {
      data.user = 'alice';
      session.regenerate();
    });
    const logOut = handler({ cookie: COOKIE }, (_data, session) => session.destroy());
    const view = handler({ cookie: COOKIE });

    it('regenerate() keeps the data under a new id and kills the old id at once', async () => {
      const anonymous = cookieValue(
        await handler({ cookie: COOKIE }, (d) => (d.theme = 'dark'))(eventWithCookie(v2, 'a', 'b')),
        '__Host-sid',
      )!;
      const loggedIn = await logIn(eventWithCookie(v2, '__Host-sid', anonymous));
      const fresh = cookieValue(loggedIn, '__Host-sid')!;

      expect(fresh).not.toBe(anonymous);
      await expectHeld(fresh);
      expect(JSON.parse((await view(eventWithCookie(v2, '__Host-sid', fresh))).body as string)).toEqual({
        theme: 'dark',
        user: 'alice',
      });
      const replay = await view(eventWithCookie(v2, '__Host-sid', anonymous));
      expect(JSON.parse(replay.body as string)).toEqual({});
      expect(cookieValue(replay, '__Host-sid')).not.toBe(anonymous);
    });

    it('destroy() deletes the session, clears the cookie and sends no id', async () => {
      const id = cookieValue(await logIn(eventWithCookie(v2, 'a', 'b')), '__Host-sid')!;
      await expectHeld(id);

      const out = await logOut(eventWithCookie(v2, '__Host-sid', id));
      expect(setCookies(out)).toEqual(['__Host-sid=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax']);
      expect(JSON.stringify(out)).not.toMatch(/[A-Za-z0-9_-]{43}/);
      await expectHeld();
      expect(JSON.parse((await view(eventWithCookie(v2, '__Host-sid', id))).body as string)).toEqual({});
    });

    it('destroy() of a session that was never stored writes nothing', async () => {
      await logOut(eventWithCookie(v2, 'a', 'b'));
      await expectHeld();
    });
  });

  describe('cookie only (idHeader: false)', () => {
    const v2 = 'apigw-http-v2';
    const cookieOnly: SessionOptions = { idHeader: false, cookie: COOKIE };

    it('reads the id from the cookie alone, and sends it in Set-Cookie alone', async () => {
      const first = await handler(cookieOnly, (d) => (d.theme = 'dark'))(eventWithCookie(v2, 'a', 'b'));
      const id = cookieValue(first, '__Host-sid')!;

      const viaHeader = await handler(cookieOnly)(eventWithHeader(v2, 'session-id', id));
      const viaCookie = await handler(cookieOnly)(eventWithCookie(v2, '__Host-sid', id));

      expect(JSON.parse(viaHeader.body as string)).toEqual({}); // the header was not read
      expect(cookieValue(viaHeader, '__Host-sid')).not.toBe(id);
      expect(JSON.parse(viaCookie.body as string)).toEqual({ theme: 'dark' });
      for (const response of [first, viaHeader, viaCookie]) {
        expect(response.headers).not.toHaveProperty('session-id');
      }
    });
  });

  describe('what SessionContext tells the handler', () => {
    type Seen = Pick<SessionContext, 'isNew' | 'createdAt' | 'expiresAt' | 'isDestroyed'>;
    /** A handler that runs `act`, then records what its SessionContext says. */
    const seeing = (options: SessionOptions, act: Action = () => {}) => {
      const seen: Seen[] = [];
      const invoke = handler(options, (data, session) => {
        act(data, session);
        const { isNew, createdAt, expiresAt, isDestroyed } = session;
        seen.push({ isNew, createdAt, expiresAt, isDestroyed });
      });
      return { invoke, seen };
    };
    const HOUR = 3600_000;

    it('dates a new session now, dying at the earlier of its idle and absolute limits', async () => {
      const before = Date.now();
      const { invoke, seen } = seeing({ ttl: 600, absoluteTimeout: 300 });
      await invoke({});
      const [{ isNew, createdAt, expiresAt }] = seen as [Seen];
      expect(isNew).toBe(true);
      expect(createdAt.getTime()).toBeGreaterThanOrEqual(before);
      expect(createdAt.getTime()).toBeLessThanOrEqual(Date.now());
      expect(expiresAt!.getTime() - createdAt.getTime()).toBe(300_000);
    });

    it('dates a stored session from when it was created and last used', async () => {
      const id = issuedId(await handler({})({}));
      const key = hashSessionId(id);
      const createdAt = Date.now() - 3 * HOUR;
      const updatedAt = Date.now() - HOUR;
      await plant(local.store, { ...(await local.store.load(key))!, createdAt, updatedAt });
      const idle = seeing({ ttl: 2 * 3600, absoluteTimeout: 12 * 3600 });
      const absolute = seeing({ ttl: 2 * 3600, absoluteTimeout: 4 * 3600 });

      await idle.invoke(header(id));
      await absolute.invoke(header(id));

      expect(idle.seen[0]).toEqual({
        isNew: false,
        createdAt: new Date(createdAt),
        expiresAt: new Date(updatedAt + 2 * HOUR),
        isDestroyed: false,
      });
      expect(absolute.seen[0]!.expiresAt).toEqual(new Date(createdAt + 4 * HOUR));
    });

    it('has no expiry for a session that never expires', async () => {
      const { invoke, seen } = seeing({ ttl: 0, absoluteTimeout: 0 });
      await invoke({});
      expect(seen[0]!.expiresAt).toBeUndefined();
    });

    it('restarts the absolute timeout at regenerate(): the new id is a new session', async () => {
      const id = issuedId(await handler({})({}));
      const key = hashSessionId(id);
      const createdAt = Date.now() - 3 * HOUR;
      await plant(local.store, { ...(await local.store.load(key))!, createdAt });
      const before = Date.now();
      const { invoke, seen } = seeing({}, (_d, session) => session.regenerate());

      const response = await invoke(header(id));

      expect(seen[0]!.createdAt.getTime()).toBeGreaterThanOrEqual(before);
      const fresh = issuedId(response);
      expect((await local.store.load(hashSessionId(fresh)))!.createdAt).toBe(seen[0]!.createdAt.getTime());
    });

    it('says isDestroyed after destroy(), and then refuses regenerate()', async () => {
      let refused: unknown;
      const { invoke, seen } = seeing({}, (_d, session) => {
        session.destroy();
        try {
          session.regenerate();
        } catch (error) {
          refused = error;
        }
      });
      await invoke({});
      expect(seen[0]!.isDestroyed).toBe(true);
      expect(refused).toBeInstanceOf(SessionError);
      expect((refused as Error).message).toMatch(/regenerate\(\) after destroy\(\)/);
      await expectHeld();
    });
  });

  describe('destroy() of an adopted client id', () => {
    const clientId = 'client-chosen-id-000000002';
    const logOut = handler({ acceptClientId: true }, (_d, session) => session.destroy());

    it('deletes the expired session still stored under it', async () => {
      await local.store.save(
        { key: hashSessionId(clientId), data: '{}', createdAt: 1, updatedAt: 1, version: 3, expiresAt: 2000 },
        undefined,
      );
      local.resetCalls();
      await logOut(header(clientId));
      expect(local.calls()).toEqual(['load', 'delete']);
      await expectHeld();
    });

    it('writes nothing when nothing is stored under it', async () => {
      local.resetCalls();
      await logOut(header(clientId));
      expect(local.calls()).toEqual(['load']);
      await expectHeld();
    });
  });

  describe('a configured cookie and a handler’s cookie: true', () => {
    const stored = (id: string) => local.store.load(hashSessionId(id));
    beforeEach(() => {
      local.configure({ cookie: { name: CONFIGURED } });
    });

    it('log-in sets the configured cookie, log-out clears that same cookie, and the old id is dead', async () => {
      const loggedIn = await authLogIn(withCookie('other', 'x'));
      const id = cookieValue(loggedIn, CONFIGURED);
      expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(setCookies(loggedIn).some((c) => c.startsWith('session-id='))).toBe(false);
      expect(await stored(id!)).toBeDefined();

      const seen = await whoAmI(withCookie(CONFIGURED, id!));
      expect(JSON.parse(seen.body!)).toEqual({ name: 'ada', isNew: false });

      const loggedOut = await authLogOut(withCookie(CONFIGURED, id!));
      const cleared = setCookies(loggedOut);
      expect(cleared).toHaveLength(1);
      expect(cleared[0]).toMatch(
        new RegExp(`^${CONFIGURED}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax$`),
      );
      expect(await stored(id!)).toBeUndefined();

      const replay = await whoAmI(withCookie(CONFIGURED, id!));
      expect(JSON.parse(replay.body!)).toEqual({ name: null, isNew: true });
      expect(cookieValue(replay, CONFIGURED)).not.toBe(id);
    });
  });
}
