// What the response can carry: a session whose id cannot reach the client is never written, and its response is
// left exactly as the handler returned it.
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
import { cookieValue, eventWithCookie, eventWithHeader, loadEvent } from '../support/events';
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

export function describeTransportRules(local: EngineStore): void {
  const held = (id: string) => local.store.load(hashSessionId(id));

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
      const first = await returning({ statusCode: 200 }, COOKIE)(loadEvent('apigw-http-v2'));
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
}
