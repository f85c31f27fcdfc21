// Log-in chains: the absolute timeout counts from a chain's first log-in (its first regenerate()), and no
// regenerate(), seeded or not, joining device or not, restarts it. Time is the engine's clock, Date.now(),
// moved forward by the test: nothing waits.
import { randomBytes } from 'node:crypto';
import { IsOptional, IsString } from 'class-validator';
import {
  hashSessionId,
  lambdaHandler,
  Session,
  SessionContext,
  SessionData,
  type SessionOptions,
} from '../../src';
import { type EngineStore } from '../support/engine-store';
import { withFakeContext } from '../support/lambda';

class UserSession {
  @IsOptional() @IsString() user?: string;
  @IsOptional() @IsString() theme?: string;
}

type Action = (data: UserSession, session: SessionContext) => unknown;
type Response = { statusCode: number; headers: Record<string, string>; body: string };

const MINUTE = 60_000;
/** One hour absolute, two hours idle: the session dies of its absolute limit, and the secret for seeds. */
const OPTIONS: SessionOptions = {
  absoluteTimeout: 3600,
  idSecret: randomBytes(32).toString('base64url'),
};

function handler(act: Action = () => {}) {
  class Handler {
    @Session({ update: true, ...OPTIONS })
    async handle(
      _event: unknown,
      @SessionData() data: UserSession,
      @SessionContext() session: SessionContext,
    ): Promise<Response> {
      const seen = JSON.stringify(data);
      act(data, session);
      return { statusCode: 200, headers: {}, body: seen };
    }
  }
  return withFakeContext(lambdaHandler(new Handler(), 'handle'));
}

const header = (id: string) => ({ headers: { 'session-id': id } });
const idOf = (response: Response) => response.headers['session-id']!;
const seen = (response: Response) => JSON.parse(response.body) as UserSession;

const browse = handler((data) => (data.theme ??= 'dark'));
const logIn = handler((data, session) => {
  data.user = 'ada';
  session.regenerate();
});
const logInSeeded = handler((data, session) => {
  data.user = 'ada';
  session.regenerate({ seed: 'ada' });
});
const rotate = handler((_data, session) => session.regenerate());
const view = handler();

export function describeChainRules(local: EngineStore): void {
  describe('log-in chains: the absolute timeout cannot be stretched', () => {
    const realNow = Date.now.bind(Date);
    let offset = 0;
    beforeEach(() => {
      offset = 0;
      jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
    });
    afterEach(() => jest.restoreAllMocks());
    const advance = (minutes: number) => {
      offset += minutes * MINUTE;
    };

    it('regenerate() every 5 minutes keeps a 1 h session alive for 1 h, not for a day', async () => {
      let id = idOf(await logIn({}));
      const start = (await local.store.load(hashSessionId(id)))!.createdAt;
      let alive = 0;
      for (let minutes = 5; minutes <= 24 * 60; minutes += 5) {
        advance(5);
        const response = await rotate(header(id));
        if (seen(response).user !== 'ada') break;
        alive = minutes;
        id = idOf(response);
        expect((await local.store.load(hashSessionId(id)))!.createdAt).toBe(start);
      }
      expect(alive).toBe(55);
    });

    it('starts the chain at the log-in, not at the anonymous session’s creation', async () => {
      const anonymous = idOf(await browse({}));
      advance(50);
      const id = idOf(await logIn(header(anonymous)));
      advance(50);
      expect(seen(await view(header(id)))).toEqual({ theme: 'dark', user: 'ada' });
      advance(11); // 61 minutes after the log-in
      expect(seen(await view(header(id)))).toEqual({});
    });

    it('tells the handler when the chain started, after regenerate() too', async () => {
      const id = idOf(await logIn({}));
      const start = (await local.store.load(hashSessionId(id)))!.createdAt;
      advance(30);
      let createdAt: Date | undefined;
      await handler((_data, session) => {
        session.regenerate();
        createdAt = session.createdAt;
      })(header(id));
      expect(createdAt).toEqual(new Date(start));
    });

    it('a device joining a seeded session does not stretch it', async () => {
      const phone = idOf(await logInSeeded({}));
      advance(50);
      const laptop = idOf(await logInSeeded({}));
      expect(laptop).toBe(phone);
      advance(11);
      expect(seen(await view(header(laptop)))).toEqual({});
    });

    it('a seeded log-in from a logged-in session carries the chain’s start', async () => {
      const id = idOf(await logIn({}));
      advance(50);
      const seeded = idOf(await logInSeeded(header(id)));
      advance(11);
      expect(seen(await view(header(seeded)))).toEqual({});
    });

    it('a log-in after the chain died starts a new one', async () => {
      const phone = idOf(await logInSeeded({}));
      advance(61);
      const again = idOf(await logInSeeded({}));
      expect(again).not.toBe(phone);
      advance(50);
      expect(seen(await view(header(again)))).toEqual({ user: 'ada' });
    });
  });
}
