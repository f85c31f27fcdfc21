// Log-in chains: the absolute timeout counts from a chain's first log-in (its first regenerate()), and no
// regenerate(), bound to an owner or not, restarts it. Time is the engine's clock, Date.now(),
// moved forward by the test: nothing waits.
import { randomBytes } from 'node:crypto';
import { hashSessionId, type SessionOptions } from '../../src';
import { type EngineStore } from '../support/engine-store';
import { type Action, header, type Response, seen, userHandler } from './user-handler';

const MINUTE = 60_000;
/** One hour absolute, two hours idle: the session dies of its absolute limit, and the secret for owners. */
const OPTIONS: SessionOptions = {
  absoluteTimeout: 3600,
  idSecret: randomBytes(32).toString('base64url'),
};

const handler = (act?: Action) => userHandler(OPTIONS, act);
const idOf = (response: Response) => response.headers['session-id']!;

const browse = handler((data) => (data.theme ??= 'dark'));
const logIn = handler((data, session) => {
  data.user = 'ada';
  session.regenerate();
});
const logInOwned = handler((data, session) => {
  data.user = 'ada';
  session.regenerate({ owner: 'ada' });
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

    it('a log-in bound to an owner from a logged-in session carries the chain’s start', async () => {
      const id = idOf(await logIn({}));
      advance(50);
      const owned = idOf(await logInOwned(header(id)));
      advance(11);
      expect(seen(await view(header(owned)))).toEqual({});
    });

    it('an id rotation of an owned session carries the chain’s start', async () => {
      const id = idOf(await logInOwned({}));
      advance(50);
      const rotated = idOf(await rotate(header(id)));
      expect(seen(await view(header(rotated)))).toEqual({ user: 'ada' });
      advance(11);
      expect(seen(await view(header(rotated)))).toEqual({});
    });
  });
}
