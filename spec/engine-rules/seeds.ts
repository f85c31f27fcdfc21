// Seeded ids (`regenerate({ seed })`): one session per user across devices, and log-out final. A seeded id is
// `<seed part>.<chain part>`: the item is found by the seed part, and opened only by the chain part of the
// log-in chain it holds now. Log-out deletes the item, so every id of that chain, stolen or not, is dead.
import { createHmac, randomBytes } from 'node:crypto';
import { hashSessionId, SessionConflictError, type SessionOptions, type SessionStore } from '../../src';
import { type EngineStore, plant } from '../support/engine-store';
import { header, type Response, seen, userHandler as handler } from './user-handler';

const SECRET = randomBytes(32).toString('base64url');
const SEEDED = /^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/;
const idOf = (response: Response) => response.headers['session-id'];

const logInAs = (user: string, options: SessionOptions = {}) =>
  handler({ idSecret: SECRET, ...options }, (data, session) => {
    data.user = user;
    session.regenerate({ seed: user });
  });
const logOut = handler({ idSecret: SECRET }, (_data, session) => session.destroy());
const view = handler({ idSecret: SECRET });

export function describeSeedRules(local: EngineStore): void {
  const stored = (id: string) => local.store.load(hashSessionId(id));

  describe('seeded ids: one session per user, log-out final', () => {
    it('gives a seeded session an id of two HMACs, whose item holds neither the id nor its parts', async () => {
      const id = idOf(await logInAs('user-42')({}))!;
      expect(id).toMatch(SEEDED);
      const item = await stored(id);
      expect(item?.chain).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
      const [seedPart, chainPart] = id.split('.') as [string, string];
      expect(JSON.stringify(item)).not.toContain(seedPart);
      expect(JSON.stringify(item)).not.toContain(chainPart);
      expect(seedPart).not.toBe(hashSessionId('user-42'));
    });

    it('makes log-out final: an id stolen before it opens nothing after the next log-in', async () => {
      const stolen = idOf(await logInAs('user-42')({}))!;
      await logOut(header(stolen));
      const next = idOf(await logInAs('user-42')({}))!;

      expect(next).not.toBe(stolen);
      expect(next.split('.')[0]).toBe(stolen.split('.')[0]); // the same user's item...
      const replay = await view(header(stolen)); // ...which the stolen id does not open
      expect(seen(replay)).toEqual({});
      expect(idOf(replay)).not.toBe(stolen);
      expect(idOf(replay)).not.toBe(next);
      expect(seen(await view(header(next)))).toEqual({ user: 'user-42' });
    });

    it('shares one session between two devices that log in with one seed, and log-out on one ends both', async () => {
      const phone = idOf(await logInAs('user-42')({}))!;
      await handler({}, (data) => (data.theme = 'dark'))(header(phone));
      const laptop = idOf(await logInAs('user-42')({}))!;

      expect(laptop).toBe(phone);
      expect(await local.count()).toBe(1);
      expect(seen(await view(header(phone)))).toEqual({ user: 'user-42' }); // the last log-in's data

      await logOut(header(laptop));
      expect(await local.count()).toBe(0);
      expect(seen(await view(header(phone)))).toEqual({});
    });

    it('keeps a session under its id when it logs in again with its own seed', async () => {
      const id = idOf(await logInAs('user-42')({}))!;
      const again = await handler({ idSecret: SECRET }, (data, session) => {
        data.theme = 'light';
        session.regenerate({ seed: 'user-42' });
      })(header(id));

      expect(idOf(again)).toBe(id);
      expect(await local.count()).toBe(1);
      expect(seen(await view(header(id)))).toEqual({ user: 'user-42', theme: 'light' });
    });

    it('costs one read of the seed’s item on log-in, as before', async () => {
      const anonymous = idOf(await handler({}, (data) => (data.theme = 'dark'))({}))!;
      const phone = idOf(await logInAs('user-42')({}))!;
      local.resetCalls();
      const laptop = idOf(await logInAs('user-42')(header(anonymous)))!;
      expect(laptop).toBe(phone);
      // The anonymous session's read, the seed's item's read, the anonymous item's delete, the write.
      expect(local.calls()).toEqual(['load', 'load', 'delete', 'save']);
    });

    it('opens nothing with a forged chain part, nor with the seed part alone', async () => {
      const id = idOf(await logInAs('user-42')({}))!;
      const [seedPart, chainPart] = id.split('.') as [string, string];
      const forged = `${seedPart}.${chainPart.slice(1)}${chainPart.startsWith('A') ? 'B' : 'A'}`;

      // The seed part alone is a well-formed id of another session, which does not exist.
      for (const claimed of [forged, seedPart]) {
        const response = await view(header(claimed));
        expect(seen(response)).toEqual({});
        expect(idOf(response)).not.toBe(claimed);
      }
      expect(seen(await view(header(id)))).toEqual({ user: 'user-42' });
    });

    it('serves a seeded session in a handler without idSecret: only log-in derives ids', async () => {
      const id = idOf(await logInAs('user-42')({}))!;
      const noSecret = await handler({}, (data) => (data.theme = 'dark'))(header(id));
      expect(seen(noSecret)).toEqual({ user: 'user-42' });
      expect(idOf(noSecret)).toBe(id);
      expect(seen(await view(header(id)))).toEqual({ user: 'user-42', theme: 'dark' });
    });

    it('never adopts the seeded id of an ended chain, even with acceptClientId', async () => {
      const stolen = idOf(await logInAs('user-42')({}))!;
      await logOut(header(stolen));
      const next = idOf(await logInAs('user-42')({}))!;
      const adopting = handler({ idSecret: SECRET, acceptClientId: true }, (data) => (data.theme = 'x'));

      for (const claimed of [stolen, next.replace(/\.[^.]*$/, `.${'A'.repeat(43)}`)]) {
        const response = await adopting(header(claimed));
        expect(idOf(response)).not.toBe(claimed);
      }
      expect(seen(await view(header(next)))).toEqual({ user: 'user-42' });
    });

    it('replaces, and does not join, a live item of the seed that has no chain (a store that dropped it)', async () => {
      const id = idOf(await logInAs('user-42')({}))!;
      const { chain: _dropped, ...unchained } = (await stored(id))!;
      await plant(local.store, unchained);

      const next = idOf(await logInAs('user-42')({}))!;
      expect(next).not.toBe(id);
      expect(seen(await view(header(next)))).toEqual({ user: 'user-42' });
      expect(seen(await view(header(id)))).toEqual({});
    });

    it('keeps a seeded id through a reset of invalid stored data', async () => {
      const id = idOf(await logInAs('user-42')({}))!;
      const before = (await stored(id))!;
      // Invalid data as an older deployment left it: no fingerprint of rules it passed (else no load checks it).
      const { validatedRules: _passed, ...asOlder } = before;
      await plant(local.store, { ...asOlder, data: '{"user":42}' });

      const reset = await handler({ idSecret: SECRET, onInvalidStored: 'reset' }, (data) => {
        data.theme = 'fresh';
      })(header(id));

      expect(seen(reset)).toEqual({});
      expect(idOf(reset)).toBe(id);
      const after = (await stored(id))!;
      expect(after).toMatchObject({
        chain: before.chain,
        createdAt: before.createdAt,
        data: '{"theme":"fresh"}',
      });
    });

    it('leaves a session an earlier version seeded under its old id, until it ends, and joins it no more', async () => {
      // Before, a seeded id was the bare HMAC of the seed, and its item the hash of that id.
      const legacy = createHmac('sha256', SECRET).update('user-42', 'utf8').digest('base64url');
      const now = Date.now();
      await plant(local.store, {
        key: hashSessionId(legacy),
        data: '{"user":"user-42"}',
        createdAt: now,
        updatedAt: now,
        version: 1,
        expiresAt: now + 3600_000,
      });

      const next = idOf(await logInAs('user-42')({}))!;
      expect(next.split('.')[0]).not.toBe(legacy);
      expect(seen(await view(header(legacy)))).toEqual({ user: 'user-42' });
      await logOut(header(legacy));
      expect(await stored(legacy)).toBeUndefined();
      expect(seen(await view(header(next)))).toEqual({ user: 'user-42' });
    });

    describe('a log-in racing a log-out', () => {
      /** The library's store, holding the first load of `key` until `during` has run. */
      const holdingAfterLoad = (key: string, during: () => Promise<unknown>): SessionStore => {
        let held = false;
        const store = local.store;
        return {
          load: async (k, o) => {
            const found = await store.load(k, o);
            if (k === key && !held) {
              held = true;
              await during();
            }
            return found;
          },
          save: (...args) => store.save(...args),
          touch: (...args) => store.touch(...args),
          delete: (...args) => store.delete(...args),
        };
      };

      it('a log-in that read the chain before a log-out deleted it writes nothing, and the old id stays dead', async () => {
        const phone = idOf(await logInAs('user-42')({}))!;
        const key = hashSessionId(phone);
        const racing = holdingAfterLoad(key, () => logOut(header(phone)));

        await expect(logInAs('user-42', { store: racing })({})).rejects.toBeInstanceOf(SessionConflictError);
        expect(await local.count()).toBe(0);
        expect(seen(await view(header(phone)))).toEqual({});
      });

      it('with onConflict: retry, that log-in starts a new chain: a new id, and the old one dead', async () => {
        const phone = idOf(await logInAs('user-42')({}))!;
        const racing = holdingAfterLoad(hashSessionId(phone), () => logOut(header(phone)));

        const laptop = idOf(await logInAs('user-42', { store: racing, onConflict: 'retry' })({}))!;
        expect(laptop).toMatch(SEEDED);
        expect(laptop).not.toBe(phone);
        expect(seen(await view(header(phone)))).toEqual({});
        expect(seen(await view(header(laptop)))).toEqual({ user: 'user-42' });
      });

      it('a log-in whose handler ran before a log-out, and whose read came after, starts a new chain', async () => {
        const phone = idOf(await logInAs('user-42')({}))!;
        const laptop = idOf(
          await handler({ idSecret: SECRET }, async (data, session) => {
            data.user = 'user-42';
            session.regenerate({ seed: 'user-42' });
            await logOut(header(phone)); // the phone logs out while the laptop's handler runs
          })({}),
        )!;
        expect(laptop).not.toBe(phone);
        expect(await local.count()).toBe(1);
        expect(seen(await view(header(phone)))).toEqual({});
      });
    });
  });
}
