// What the response can carry, and what the request claims: a session whose id cannot reach the client is never
// written, and its response is left exactly as the handler returned it; one id per request; no response that
// carries an id is cached.
import { IsOptional, IsString } from 'class-validator';
import {
  hashSessionId,
  lambdaHandler,
  Session,
  SessionContext,
  SessionData,
  type SessionLogger,
  type SessionOptions,
  SessionResponseError,
} from '../../src';
import { type EngineStore } from '../support/engine-store';
import {
  cookieValue,
  eventWithCookie,
  eventWithHeader,
  fixtureNames,
  loadEvent,
  setCookies,
} from '../support/events';
import { withFakeContext } from '../support/lambda';

class Visitor {
  @IsOptional() @IsString() theme?: string;
}

type Act = (data: Visitor, session: SessionContext) => void;
type Invoke = (event: unknown) => Promise<unknown>;

/** A handler that runs `act`, then returns `response` as it is: the same object, every time. */
function returning(response: unknown, options: SessionOptions = {}, act: Act = () => {}): Invoke {
  class Handler {
    @Session({ update: true, ...options })
    async handle(_event: unknown, @SessionData() data: Visitor, @SessionContext() session: SessionContext) {
      act(data, session);
      return response;
    }
  }
  return withFakeContext(lambdaHandler(new Handler(), 'handle'));
}

const COOKIE = { cookie: { name: 'sid' } };
const ID_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const setTheme: Act = (data) => (data.theme = 'dark');

/** The bare results: what an HTTP API or a Function URL sends as the body, with status 200. */
const BARE_RESULTS: [string, unknown][] = [
  ['an object with headers but no statusCode', { subject: 'hi', headers: { 'x-trace': 'a' } }],
  ['an object with cookies but no statusCode', { cookies: [], theme: 'dark' }],
  ['an object whose statusCode is a string', { statusCode: '200', headers: {} }],
  ['JSON text of a response (a string: the body)', JSON.stringify({ statusCode: 200, headers: {} })],
  ['JSON text without a statusCode', JSON.stringify({ headers: {} })],
  ['plain text', 'hello'],
  ['an array', [{ headers: {} }]],
];
const V2_FIXTURES = ['apigw-http-v2', 'apigw-http-v2-no-cookies', 'function-url', 'function-url-no-cookies'];

/** A WebSocket message event, after `$connect`: the handshake fixture as API Gateway sends later events. */
function websocketMessage(): Record<string, unknown> {
  const event = loadEvent('websocket-connect');
  const requestContext = event.requestContext as Record<string, unknown>;
  delete event.headers;
  delete event.multiValueHeaders;
  return {
    ...event,
    requestContext: { ...requestContext, eventType: 'MESSAGE', routeKey: 'sendmessage' },
    body: '{"action":"sendmessage"}',
  };
}

function capture(): { logger: SessionLogger; lines: { level: string; message: unknown }[] } {
  const lines: { level: string; message: unknown }[] = [];
  const at = (level: string) => (message: unknown) => void lines.push({ level, message });
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn') }, lines };
}

/** Every header of a response, names lower-cased, single- and multi-value alike. */
function headersOf(response: unknown): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  const record = response as {
    headers?: Record<string, unknown>;
    multiValueHeaders?: Record<string, unknown>;
  };
  for (const source of [record.headers, record.multiValueHeaders]) {
    for (const [name, value] of Object.entries(source ?? {})) {
      (out[name.toLowerCase()] ??= []).push(...(Array.isArray(value) ? value : [value]));
    }
  }
  return out;
}

export function describeTransportRules(local: EngineStore): void {
  const held = (id: string) => local.store.load(hashSessionId(id));
  /** A live session in the store, by a first request; its id. */
  const live = async (theme: string, options: SessionOptions = COOKIE) => {
    const response = await returning({ statusCode: 200 }, options, (d) => (d.theme = theme))({});
    return (
      cookieValue(response, 'sid') ?? (response as { headers: Record<string, string> }).headers['session-id']!
    );
  };

  describe('a response that cannot carry the id', () => {
    describe.each(V2_FIXTURES)('%s', (fixture) => {
      it.each(BARE_RESULTS)(
        'leaves %s exactly as it is, and writes no new session',
        async (_label, result) => {
          for (const options of [COOKIE, {}]) {
            const response = await returning(result, options, setTheme)(loadEvent(fixture));
            expect(response).toBe(result);
          }
          expect(await local.count()).toBe(0);
        },
      );
    });

    it('writes nothing for 100 anonymous requests answered with a bare HTTP API result', async () => {
      const handler = returning({ subject: 'hi', headers: {} }, COOKIE, setTheme);
      for (let i = 0; i < 100; i++) await handler(loadEvent('apigw-http-v2'));
      expect(await local.count()).toBe(0);
    });

    it.each(['websocket-connect', 'websocket-connect-alt'])(
      '%s with cookies on: no Set-Cookie reaches the client, so no session is written',
      async (fixture) => {
        const result = { statusCode: 200 };
        const response = await returning(result, COOKIE, setTheme)(loadEvent(fixture));
        expect(response).toEqual(result);
        expect(await local.count()).toBe(0);
      },
    );

    it('a WebSocket message (no HTTP response at all) writes no session', async () => {
      const result = { statusCode: 200, body: 'ok' };
      expect(await returning(result, {}, setTheme)(websocketMessage())).toBe(result);
      expect(await local.count()).toBe(0);
    });

    it('a REST API result that is no response object writes no session', async () => {
      expect(await returning('hello', {}, setTheme)(loadEvent('apigw-rest-v1'))).toBe('hello');
      expect(await local.count()).toBe(0);
    });

    it('warns once per handler that data set on such a session is dropped, and logs no data', async () => {
      const { logger, lines } = capture();
      local.configure({ logger });
      const handler = returning({ subject: 'hi' }, {}, setTheme);
      await handler(loadEvent('apigw-http-v2'));
      await handler(loadEvent('apigw-http-v2'));
      const warnings = lines.filter((l) => l.level === 'warn');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.message).toMatch(/new session whose id cannot reach the client; nothing written/);
      expect(JSON.stringify(lines)).not.toContain('dark');
      // Nothing set, nothing dropped: no warning for a handler that only reads.
      await returning({ subject: 'hi' })(loadEvent('apigw-http-v2'));
      expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1);
      expect(await local.count()).toBe(0);
    });

    it('refuses regenerate() there before any write: the client would lose its session', async () => {
      const first = await returning({ statusCode: 200 }, COOKIE, setTheme)(loadEvent('apigw-http-v2'));
      const id = cookieValue(first, 'sid')!;
      const before = await held(id);
      const logIn = returning({ subject: 'welcome' }, COOKIE, (_d, s) => s.regenerate());

      await expect(logIn(eventWithCookie('apigw-http-v2', 'sid', id))).rejects.toThrow(SessionResponseError);
      await expect(logIn(eventWithCookie('apigw-http-v2', 'sid', id))).rejects.toThrow(
        /cannot take to the client: an HTTP API .* sends a result without a numeric statusCode as the body/,
      );
      await expect(logIn(loadEvent('apigw-http-v2'))).rejects.toThrow(SessionResponseError);
      expect(await held(id)).toEqual(before);
      expect(await local.count()).toBe(1);
    });

    it('still saves an existing session: the client sent its id, so it holds it', async () => {
      // Data in it, or cookie mode (saveUninitialized: false) would write nothing and set no cookie.
      const light: Act = (data) => (data.theme = 'light');
      const first = await returning({ statusCode: 200 }, COOKIE, light)(loadEvent('apigw-http-v2'));
      const id = cookieValue(first, 'sid')!;
      const result = { theme: 'ignored' };

      const response = await returning(result, COOKIE, setTheme)(eventWithCookie('apigw-http-v2', 'sid', id));

      expect(response).toBe(result);
      expect(JSON.parse((await held(id))!.data)).toEqual({ theme: 'dark' });
    });

    it('writes an id the client chose (acceptClientId): the client holds it already', async () => {
      const chosen = 'client-chosen-id-0123456789';
      await returning(
        { subject: 'hi' },
        { acceptClientId: true },
        setTheme,
      )(eventWithHeader('apigw-http-v2', 'session-id', chosen));
      expect(JSON.parse((await held(chosen))!.data)).toEqual({ theme: 'dark' });
    });

    it('with a numeric statusCode the HTTP API response carries the id, and the session is written', async () => {
      const response = await returning(
        { statusCode: 200, headers: {} },
        COOKIE,
        setTheme,
      )(loadEvent('apigw-http-v2'));
      expect(cookieValue(response, 'sid')).toMatch(ID_SHAPE);
      expect(await local.count()).toBe(1);
    });
  });

  describe('one id per request', () => {
    const themeSeen = (options: SessionOptions = COOKIE) => {
      let seen: string | undefined;
      const invoke = returning({ statusCode: 200, headers: {} }, options, (d) => (seen = d.theme ?? 'none'));
      return async (event: unknown) => ({ response: await invoke(event), theme: () => seen });
    };

    it.each([
      ['in one Cookie header', (a: string, b: string) => ({ headers: { Cookie: `sid=${a}; sid=${b}` } })],
      [
        'in two cookies entries of an HTTP API event',
        (a: string, b: string) => {
          const event = loadEvent('apigw-http-v2');
          return { ...event, cookies: [...(event.cookies as string[]), `sid=${a}`, `sid=${b}`] };
        },
      ],
      [
        'in one cookies entry of an HTTP API event',
        (a: string, b: string) => ({
          ...loadEvent('apigw-http-v2'),
          cookies: [`sid=${a}; sid=${b}`],
        }),
      ],
      [
        'in two Cookie headers of a multi-value ALB',
        (a: string, b: string) => {
          const event = eventWithCookie('alb-multivalue-with-cookie', 'sid', a);
          const multi = event.multiValueHeaders as Record<string, string[]>;
          multi.cookie = [...multi.cookie!, `sid=${b}`];
          return event;
        },
      ],
    ])('two different cookie ids %s count as none', async (_label, event) => {
      const [a, b] = [await live('a'), await live('b')];
      const seen = themeSeen();

      const { response, theme } = await seen(event(a, b));

      expect(theme()).toBe('none');
      expect([a, b]).not.toContain(cookieValue(response, 'sid'));
      expect(JSON.parse((await held(a))!.data)).toEqual({ theme: 'a' });
      expect(JSON.parse((await held(b))!.data)).toEqual({ theme: 'b' });
    });

    it('the same cookie id twice counts as one', async () => {
      const a = await live('a');
      const { theme } = await themeSeen()({ headers: { Cookie: `sid=${a}; other=1; sid=${a}` } });
      expect(theme()).toBe('a');
    });

    it.each([
      ['REST v1 multiValueHeaders', 'apigw-rest-v1'],
      ['a multi-value ALB', 'alb-multivalue'],
    ])('two different header ids in %s count as none', async (_label, fixture) => {
      const [a, b] = [await live('a', {}), await live('b', {})];
      const event = eventWithHeader(fixture, 'session-id', a);
      const multi = event.multiValueHeaders as Record<string, string[]>;
      const name = Object.keys(multi).find((k) => k.toLowerCase() === 'session-id')!;
      multi[name] = [a, b];

      const { response, theme } = await themeSeen({})(event);

      expect(theme()).toBe('none');
      expect([a, b]).not.toContain(headersOf(response)['session-id']![0]);
    });

    it('a made-up header id beside a live cookie gets neither: no planted id, no echo', async () => {
      const cookieId = await live('mine', { ...COOKIE, acceptClientId: true });
      const planted = 'planted-by-attacker-0123456789';
      const event = eventWithHeader('apigw-http-v2', 'session-id', planted);
      event.cookies = [`sid=${cookieId}`];

      const { response, theme } = await themeSeen({ ...COOKIE, acceptClientId: true })(event);

      expect(theme()).toBe('none');
      const issued = cookieValue(response, 'sid')!;
      expect([cookieId, planted]).not.toContain(issued);
      expect(JSON.stringify(headersOf(response))).not.toContain(planted);
      expect(headersOf(response)['session-id']).toBeUndefined();
      expect(await held(planted)).toBeUndefined();
      expect(JSON.parse((await held(cookieId))!.data)).toEqual({ theme: 'mine' });
    });

    it('a header id beside a different live cookie id gets neither, in strict mode too', async () => {
      const [cookieId, headerId] = [await live('cookie'), await live('header')];
      const event = eventWithHeader('apigw-rest-v1', 'session-id', headerId);
      (event.headers as Record<string, string>).Cookie = `sid=${cookieId}`;
      (event.multiValueHeaders as Record<string, string[]>).Cookie = [`sid=${cookieId}`];

      const { theme } = await themeSeen()(event);

      expect(theme()).toBe('none');
    });

    it('the same id in the header and the cookie counts as one', async () => {
      const id = await live('both');
      const event = eventWithHeader('apigw-http-v2', 'session-id', id);
      event.cookies = [`sid=${id}`];
      const { theme } = await themeSeen()(event);
      expect(theme()).toBe('both');
    });
  });

  describe('no response that carries an id is cached', () => {
    it.each(fixtureNames())('%s: Cache-Control: no-store beside the id', async (fixture) => {
      const response = await returning({ statusCode: 200 })(loadEvent(fixture));
      expect(headersOf(response)['cache-control']).toEqual(['no-store']);
      expect(headersOf(response)['session-id']![0]).toMatch(ID_SHAPE);
    });

    it.each(fixtureNames().filter((name) => !name.startsWith('websocket')))(
      '%s with cookies on: Cache-Control: no-store beside the Set-Cookie',
      async (fixture) => {
        const response = await returning({ statusCode: 200 }, COOKIE, setTheme)(loadEvent(fixture));
        expect(setCookies(response)).toHaveLength(1);
        expect(headersOf(response)['cache-control']).toEqual(['no-store']);
      },
    );

    it('also on log-out, whose Set-Cookie clears the cookie', async () => {
      const id = await live('x');
      const logOut = returning({ statusCode: 204 }, COOKIE, (_d, s) => s.destroy());
      const response = await logOut(eventWithCookie('apigw-http-v2', 'sid', id));
      expect(setCookies(response)[0]).toMatch(/^sid=; Max-Age=0/);
      expect(headersOf(response)['cache-control']).toEqual(['no-store']);
    });

    it.each([
      ['headers, in another case', { statusCode: 200, headers: { 'cache-control': 'private, max-age=60' } }],
      [
        'multiValueHeaders',
        { statusCode: 200, multiValueHeaders: { 'CACHE-CONTROL': ['private, max-age=60'] } },
      ],
    ])('keeps the handler own Cache-Control, in %s', async (_label, result) => {
      const response = await returning(result, COOKIE, setTheme)(loadEvent('apigw-rest-v1'));
      expect(setCookies(response)).toHaveLength(1);
      expect(headersOf(response)['cache-control']).toEqual(['private, max-age=60']);
    });

    it.each([
      ['public, max-age=300', 'private, max-age=300'],
      ['max-age=60, s-maxage=600', 'private, max-age=60'],
      ['no-cache', 'private, no-cache'],
    ])('makes a handler own Cache-Control %p private: no shared cache keeps the id', async (own, sent) => {
      for (const fixture of ['apigw-http-v2', 'apigw-rest-v1-multivalue', 'alb-multivalue']) {
        const result = fixture.includes('multivalue')
          ? { statusCode: 200, multiValueHeaders: { 'cache-control': [own] } }
          : { statusCode: 200, headers: { 'Cache-Control': own } };
        const response = await returning(result, COOKIE, setTheme)(loadEvent(fixture));
        expect(setCookies(response)).toHaveLength(1);
        expect(headersOf(response)['cache-control']).toEqual([sent]);
      }
    });

    it('adds none to a response that carries no id', async () => {
      const result = { statusCode: 200 };
      expect(headersOf(await returning(result, COOKIE)(loadEvent('websocket-connect')))).toEqual({});
    });
  });
}
