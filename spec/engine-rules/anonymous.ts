// Anonymous and hostile traffic: what requests with no id, a malformed id or an unknown well-formed id write,
// with saveUninitialized on and off. Off, a new session is written, and its id sent, only once the handler
// stored something in it or regenerated it.
import { randomUUID } from 'node:crypto';
import { IsOptional, IsString } from 'class-validator';
import {
  getSessionData,
  lambdaHandler,
  Session,
  SessionContext,
  SessionData,
  type SessionOptions,
  setSessionData,
  withSession,
} from '../../src';
import { type EngineStore } from '../support/engine-store';
import { cookieValue, httpApiEvent, setCookies } from '../support/events';
import { withFakeContext } from '../support/lambda';

class Prefs {
  @IsOptional() @IsString() theme?: string;
}

type Action = (data: Prefs, session: SessionContext) => unknown;
type Response = { statusCode: number; headers?: Record<string, string>; cookies?: string[]; body: string };

function handler(options: SessionOptions, act: Action = () => {}) {
  class Handler {
    @Session({ update: true, ...options })
    async handle(
      _event: unknown,
      @SessionData() data: Prefs,
      @SessionContext() session: SessionContext,
    ): Promise<Response> {
      act(data, session);
      return { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: JSON.stringify(data) };
    }
  }
  return withFakeContext(lambdaHandler(new Handler(), 'handle'));
}

const COOKIE = { name: '__Host-sid' };
const REQUESTS = 50;
/** What an anonymous or hostile client sends: nothing, garbage, or an id of the right shape nobody issued. */
const ANONYMOUS: readonly (readonly [string, () => ReturnType<typeof httpApiEvent>])[] = [
  ['no id', () => httpApiEvent()],
  ['a malformed id', () => httpApiEvent({ 'session-id': 'garbage; DROP TABLE' })],
  ['an unknown well-formed id', () => httpApiEvent({ 'session-id': 'A'.repeat(43) })],
  [
    'an unknown cookie',
    () =>
      ({ ...httpApiEvent(), cookies: [`__Host-sid=${'B'.repeat(43)}`] }) as ReturnType<typeof httpApiEvent>,
  ],
];
const sendsId = (response: Response) =>
  response.headers?.['session-id'] !== undefined || setCookies(response).length > 0;

export function describeAnonymousRules(local: EngineStore): void {
  describe('anonymous and hostile traffic', () => {
    describe.each(ANONYMOUS)('%s', (_name, event) => {
      it.each<[string, SessionOptions]>([
        ['saveUninitialized: false', { saveUninitialized: false }],
        ['cookies on (saveUninitialized false by default)', { cookie: COOKIE }],
      ])(`${REQUESTS} requests write nothing and send no id with %s`, async (_setting, options) => {
        const invoke = handler(options);
        local.resetCalls();
        const responses = [];
        for (let i = 0; i < REQUESTS; i++) responses.push(await invoke(event()));
        expect(local.calls().filter((call) => call !== 'load')).toEqual([]);
        expect(await local.count()).toBe(0);
        expect(responses.filter(sendsId)).toEqual([]);
      });

      it(`${REQUESTS} requests write ${REQUESTS} sessions with the header alone and the default`, async () => {
        const invoke = handler({});
        for (let i = 0; i < REQUESTS; i++) await invoke(event());
        expect(await local.count()).toBe(REQUESTS);
      });
    });

    describe('saveUninitialized: false', () => {
      const options: SessionOptions = { saveUninitialized: false };

      it('writes the session, and sends its id, once the handler sets data; then it is found', async () => {
        const first = await handler(options, (data) => (data.theme = 'dark'))(httpApiEvent());
        const id = first.headers!['session-id']!;
        expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(await local.count()).toBe(1);
        const second = await handler(options)(httpApiEvent({ 'session-id': id }));
        expect(JSON.parse(second.body)).toEqual({ theme: 'dark' });
        expect(second.headers!['session-id']).toBe(id);
      });

      it('writes a session the handler regenerated, data or not', async () => {
        const response = await handler(options, (_data, session) => session.regenerate())(httpApiEvent());
        expect(response.headers!['session-id']).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(await local.count()).toBe(1);
      });

      it('sets the cookie once there is something in the session', async () => {
        const cookie = { cookie: COOKIE };
        const first = await handler(cookie)(httpApiEvent());
        const second = await handler(cookie, (data) => (data.theme = 'light'))(httpApiEvent());
        expect(setCookies(first)).toEqual([]);
        expect(cookieValue(second, '__Host-sid')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      });

      it('counts a session class whose defaults differ per instance as unset until the handler sets data', async () => {
        class Guarded {
          @IsString() csrf = randomUUID();
          @IsOptional() @IsString() theme?: string;
        }
        const visit = (act: (data: Guarded) => void = () => {}) =>
          withSession(
            async (_event: unknown) => {
              act(getSessionData<Guarded>());
              return { statusCode: 200, headers: {} as Record<string, string> };
            },
            { ...options, type: Guarded },
          );
        for (let i = 0; i < 10; i++) expect((await visit()({})).headers['session-id']).toBeUndefined();
        expect(await local.count()).toBe(0);
        expect((await visit((data) => (data.theme = 'dark'))({})).headers['session-id']).toBeDefined();
        expect(await local.count()).toBe(1);
      });

      it('counts a plain session as set once setSessionData() gave it a value', async () => {
        const plain = (value: unknown) =>
          withSession(async (_event: unknown) => {
            if (getSessionData() === undefined && value !== undefined) setSessionData(value);
            return { statusCode: 200, headers: {} as Record<string, string> };
          }, options);
        expect((await plain(undefined)({})).headers['session-id']).toBeUndefined();
        expect((await plain(0)({})).headers['session-id']).toBeDefined();
        expect(await local.count()).toBe(1);
      });
    });
  });
}
