// Cookie settings from configureSessions() and from a handler combine, against dynalite in-process: the
// README's own examples (a __Host- cookie configured once, `cookie: true` on the log-in and log-out handlers)
// must log out for real.
import { type APIGatewayProxyEventV2 } from 'aws-lambda';
import { IsOptional, IsString } from 'class-validator';
import {
  configureSessions,
  hashSessionId,
  lambdaHandler,
  Session,
  SessionContext,
  SessionData,
  type SessionOptions,
} from '../src';
import { resolveSessionOptions } from '../src/options';
import { getItem, useSessionTable } from './support/dynalite';
import { cookieValue, httpApiEvent, setCookies } from './support/events';
import { withFakeContext } from './support/lambda';

class UserSession {
  @IsOptional() @IsString() name?: string;
}

// As the README writes them, but for checkPassword.
class AuthHandler {
  @Session({ update: true, cookie: true })
  async logIn(
    _event: APIGatewayProxyEventV2,
    @SessionData() user: UserSession,
    @SessionContext() session: SessionContext,
  ) {
    user.name = 'ada';
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
    return { statusCode: 200, body: JSON.stringify({ name: user.name ?? null, isNew: session.isNew }) };
  }
}

const auth = new AuthHandler();
const logIn = withFakeContext(lambdaHandler(auth, 'logIn'));
const logOut = withFakeContext(lambdaHandler(auth, 'logOut'));
const whoAmI = withFakeContext(lambdaHandler(auth, 'whoAmI'));

/** An HTTP API request carrying one cookie. */
const withCookie = (name: string, value: string) => ({ ...httpApiEvent(), cookies: [`${name}=${value}`] });

const local = useSessionTable();
const COOKIE = '__Host-session';

describe('a configured cookie and a handler’s cookie: true', () => {
  beforeEach(() => {
    configureSessions({
      tableName: local.tableName,
      client: local.dynamo.client,
      cookie: { name: COOKIE },
    });
  });

  it('log-in sets the configured cookie, log-out clears that same cookie, and the old id is dead', async () => {
    const loggedIn = await logIn(withCookie('other', 'x'));
    const id = cookieValue(loggedIn, COOKIE);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(setCookies(loggedIn).some((c) => c.startsWith('session-id='))).toBe(false);
    expect(await getItem(local.dynamo.client, local.tableName, hashSessionId(id!))).toBeDefined();

    const seen = await whoAmI(withCookie(COOKIE, id!));
    expect(JSON.parse(seen.body!)).toEqual({ name: 'ada', isNew: false });

    const loggedOut = await logOut(withCookie(COOKIE, id!));
    const cleared = setCookies(loggedOut);
    expect(cleared).toHaveLength(1);
    expect(cleared[0]).toMatch(new RegExp(`^${COOKIE}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax$`));
    expect(await getItem(local.dynamo.client, local.tableName, hashSessionId(id!))).toBeUndefined();

    const replay = await whoAmI(withCookie(COOKIE, id!));
    expect(JSON.parse(replay.body!)).toEqual({ name: null, isNew: true });
    expect(cookieValue(replay, COOKIE)).not.toBe(id);
  });
});

describe('resolving the cookie', () => {
  const cookieOf = (global: SessionOptions['cookie'], own: SessionOptions['cookie']) =>
    resolveSessionOptions({ cookie: global }, { cookie: own }).cookie;

  it('takes the configured settings for cookie: true', () => {
    expect(cookieOf({ name: COOKIE, sameSite: 'strict' }, true)).toMatchObject({
      name: COOKIE,
      sameSite: 'strict',
      httpOnly: true,
    });
  });

  it('merges a handler’s object field by field over the configured one', () => {
    expect(cookieOf({ name: COOKIE, sameSite: 'strict' }, { maxAge: 60 })).toMatchObject({
      name: COOKIE,
      sameSite: 'strict',
      maxAge: 60,
    });
    expect(cookieOf({ name: COOKIE }, { name: 'sid', path: '/app' })).toMatchObject({
      name: 'sid',
      path: '/app',
    });
  });

  it('ignores fields a handler leaves undefined', () => {
    expect(cookieOf({ name: COOKIE }, { name: undefined })?.name).toBe(COOKIE);
  });

  it('turns cookies off for a handler’s cookie: false, and on with the defaults when none are configured', () => {
    expect(cookieOf({ name: COOKIE }, false)).toBeUndefined();
    expect(cookieOf(undefined, true)?.name).toBe('session-id');
    expect(cookieOf(false, true)?.name).toBe('session-id');
    expect(cookieOf(undefined, undefined)).toBeUndefined();
    expect(cookieOf({ name: COOKIE }, undefined)?.name).toBe(COOKIE);
  });

  it('checks the merged settings against the browser rules', () => {
    expect(() => cookieOf({ name: COOKIE }, { domain: 'example.com' })).toThrow(/__Host- prefix/);
  });
});
