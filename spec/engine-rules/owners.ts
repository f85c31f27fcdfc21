// Sessions that belong to a user (`regenerate({ owner })`): each device its own id, the owner's devices listed,
// one ended or all. An owned id is `<random part>.<owner key>`: the store reads the session and the owner's
// revocation epoch together, and a session bound under an epoch below the owner's is dead.
import { createHmac, randomBytes } from 'node:crypto';
import {
  configureSessions,
  hashSessionId,
  listSessions,
  MemorySessionStore,
  revokeAllSessions,
  revokeSession,
  SessionConfigurationError,
  SessionConflictError,
  type SessionContext,
  type SessionStore,
} from '../../src';
import { type EngineStore, plant } from '../support/engine-store';
import { type Action, header, type Response, seen, userHandler } from './user-handler';

const SECRET = randomBytes(32).toString('base64url');
const OWNED = /^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/;
const idOf = (response: Response) => response.headers['session-id']!;

const handler = (act?: Action) => userHandler({}, act);
const logInAs = (user: string, label?: string) =>
  handler((data, session) => {
    data.user = user;
    session.regenerate({ owner: user, ...(label === undefined ? {} : { label }) });
  });
const view = handler();
const rotate = handler((_data, session) => session.regenerate());
const signedIn = async (id: string) => seen(await view(header(id))).user !== undefined;

/** A store without owners: everything a custom store from before owners implements. */
function storeWithoutOwners(): SessionStore {
  const inner = new MemorySessionStore();
  return {
    load: (key) => inner.load(key),
    save: (session, expectedVersion) => inner.save(session, expectedVersion),
    touch: (key, change) => inner.touch(key, change),
    delete: (key, condition) => inner.delete(key, condition),
  };
}

export function describeOwnerRules(local: EngineStore): void {
  const stored = (id: string) => local.store.load(hashSessionId(id));

  describe('sessions that belong to a user', () => {
    beforeEach(() => local.configure({ idSecret: SECRET }));

    it('gives an owned session an id of its own, whose item holds an HMAC of the owner, never the owner', async () => {
      const id = idOf(await logInAs('ada@example.com')({}));
      expect(id).toMatch(OWNED);
      const item = await stored(id);
      const hmac = createHmac('sha256', Buffer.from(SECRET, 'utf8')) // a secret's text is the key
        .update('lambda-sessions owner v1\0ada@example.com')
        .digest('base64url');
      expect(item).toMatchObject({ owner: hmac, ownerEpoch: 0 });
      expect(JSON.stringify({ ...item, data: undefined })).not.toContain('ada');
      expect(id.split('.')[1]).toBe(hmac); // the owner key, which the store reads the epoch by
      expect(JSON.stringify(item)).not.toContain(id.split('.')[0]);
    });

    it('gives every device its own id, and lists them for the owner, most recently used first', async () => {
      const phone = idOf(await logInAs('ada', 'Phone')({}));
      const laptop = idOf(await logInAs('ada', 'Laptop')({}));
      await logInAs('bob', 'Bob’s')({});
      expect(laptop).not.toBe(phone);

      const devices = await listSessions('ada');
      expect(devices.map((d) => d.label)).toEqual(['Laptop', 'Phone']);
      let ref: string | undefined;
      await handler((_d, session) => void (ref = session.ref))(header(phone));
      expect(devices[1]!.ref).toBe(ref);
      expect(devices[1]!.createdAt).toBeInstanceOf(Date);
      expect(devices[1]!.expiresAt!.getTime()).toBeGreaterThan(Date.now());
      expect(await listSessions('nobody')).toEqual([]);
    });

    it('costs one read per request of an owned session, the session and the epoch together', async () => {
      const id = idOf(await logInAs('ada')({}));
      local.resetCalls();
      expect(seen(await view(header(id)))).toEqual({ user: 'ada' });
      expect(local.calls()).toEqual(['loadOwned']);
    });

    it('revokeAllSessions() signs out every device at its next request, and lists none', async () => {
      const phone = idOf(await logInAs('ada')({}));
      const laptop = idOf(await logInAs('ada')({}));
      const bob = idOf(await logInAs('bob')({}));

      await revokeAllSessions('ada');

      expect(await signedIn(phone)).toBe(false);
      expect(await signedIn(laptop)).toBe(false);
      expect(await signedIn(bob)).toBe(true);
      expect(await listSessions('ada')).toEqual([]);
      // A log-in after it is bound under the new epoch, and lives.
      const again = idOf(await logInAs('ada')({}));
      expect(await signedIn(again)).toBe(true);
      expect(await listSessions('ada')).toHaveLength(1);
    });

    it('keeps the session given as except signed in, under a new id, and ends its old id too', async () => {
      const phone = idOf(await logInAs('ada')({}));
      const laptop = idOf(await logInAs('ada')({}));
      const kept = idOf(
        await handler(async (_d, session) => {
          expect(await revokeAllSessions('ada', { except: session })).toBe(true);
        })(header(laptop)),
      );
      expect(kept).toMatch(OWNED);
      expect(kept).not.toBe(laptop);
      expect(await signedIn(kept)).toBe(true);
      expect(await signedIn(laptop)).toBe(false);
      expect(await signedIn(phone)).toBe(false);
      expect(await listSessions('ada')).toHaveLength(1);
    });

    it('refuses to keep a session of another owner, before revoking anything', async () => {
      const bob = idOf(await logInAs('bob')({}));
      const ada = idOf(await logInAs('ada')({}));
      const attempt = handler(async (_d, session) => {
        await revokeAllSessions('ada', { except: session });
      });
      await expect(attempt(header(bob))).rejects.toThrow(/a live session of that owner/);
      expect(await signedIn(ada)).toBe(true);
      await expect(revokeAllSessions('ada', { except: {} as SessionContext })).rejects.toThrow(
        /session handle of the current invocation/,
      );
      expect(await signedIn(ada)).toBe(true);
    });

    it('a log-in that signs out everywhere else keeps only its own new session', async () => {
      const phone = idOf(await logInAs('ada')({}));
      const laptop = idOf(
        await handler(async (data, session) => {
          data.user = 'ada';
          session.regenerate({ owner: 'ada', label: 'Laptop' });
          await revokeAllSessions('ada', { except: session });
        })({}),
      );
      expect(await signedIn(phone)).toBe(false);
      expect(await signedIn(laptop)).toBe(true);
      expect((await listSessions('ada')).map((d) => d.label)).toEqual(['Laptop']);
    });

    it('revokeSession() ends one device by its ref, and no session of another owner', async () => {
      const phone = idOf(await logInAs('ada', 'Phone')({}));
      const laptop = idOf(await logInAs('ada', 'Laptop')({}));
      const bob = idOf(await logInAs('bob')({}));
      const [bobs] = await listSessions('bob');
      const phoneRef = (await listSessions('ada')).find((d) => d.label === 'Phone')!.ref;

      expect(await revokeSession('ada', bobs!.ref)).toBe('absent');
      expect(await revokeSession('ada', phoneRef)).toBe('revoked');
      expect(await revokeSession('ada', phoneRef)).toBe('absent');

      expect(await signedIn(phone)).toBe(false);
      expect(await signedIn(laptop)).toBe(true);
      expect(await signedIn(bob)).toBe(true);
      expect((await listSessions('ada')).map((d) => d.label)).toEqual(['Laptop']);
    });

    it('an id rotation in flight while the owner is revoked stays revoked', async () => {
      const phone = idOf(await logInAs('ada')({}));
      // The request has read its session when another device signs out everywhere, then rotates its id.
      const rotated = idOf(
        await handler(async (data, session) => {
          await revokeAllSessions('ada');
          data.theme = 'dark';
          session.regenerate();
        })(header(phone)),
      );
      expect(await signedIn(rotated)).toBe(false);
      expect(await signedIn(phone)).toBe(false);
    });

    it('a log-in again as the same owner in flight while the owner is revoked stays revoked', async () => {
      const stolen = idOf(await logInAs('ada')({}));
      const again = idOf(
        await handler(async (data, session) => {
          await revokeAllSessions('ada'); // the owner signs out everywhere meanwhile
          session.regenerate({ owner: data.user!, label: 'step-up' });
        })(header(stolen)),
      );
      expect(await signedIn(stolen)).toBe(false);
      expect(await signedIn(again)).toBe(false);
    });

    it('a sign-out-everywhere-else in flight behind another revocation keeps nothing', async () => {
      const stolen = idOf(await logInAs('ada')({}));
      const victim = idOf(await logInAs('ada')({}));
      let kept: boolean | undefined;
      const attacker = await handler(async (_d, session) => {
        await revokeAllSessions('ada'); // the victim's "sign out everywhere" lands first
        kept = await revokeAllSessions('ada', { except: session });
      })(header(stolen));
      expect(kept).toBe(false);
      expect(attacker.headers['session-id']).toBeUndefined(); // ended: no id sent
      expect(await signedIn(stolen)).toBe(false);
      expect(await signedIn(victim)).toBe(false);
      expect(await listSessions('ada')).toEqual([]);
    });

    it('a write in flight while its device is revoked loses, and brings nothing back', async () => {
      const phone = idOf(await logInAs('ada', 'Phone')({}));
      const phoneRef = (await listSessions('ada'))[0]!.ref;
      const write = handler(async (data) => {
        await revokeSession('ada', phoneRef); // another device ends this one meanwhile
        data.theme = 'dark';
      });
      await expect(write(header(phone))).rejects.toBeInstanceOf(SessionConflictError);
      expect(await stored(phone)).toBeUndefined();
      expect(await signedIn(phone)).toBe(false);
    });

    it('a write in flight while the owner is revoked is applied but leaves the session revoked', async () => {
      const phone = idOf(await logInAs('ada')({}));
      await handler(async (data) => {
        await revokeAllSessions('ada');
        data.theme = 'dark';
      })(header(phone));
      expect(await signedIn(phone)).toBe(false);
    });

    it('opens no session with an owned id whose owner part was changed', async () => {
      const ada = idOf(await logInAs('ada')({}));
      const bob = idOf(await logInAs('bob')({}));
      const forged = `${ada.split('.')[0]}.${bob.split('.')[1]}`;
      const response = await view(header(forged));
      expect(seen(response)).toEqual({});
      expect(idOf(response)).not.toBe(forged);
      expect(await signedIn(ada)).toBe(true);
    });

    it('keeps the owner and label through an id rotation and a write', async () => {
      const id = idOf(await logInAs('ada', 'Phone')({}));
      const rotated = idOf(await rotate(header(id)));
      await handler((data) => void (data.theme = 'dark'))(header(rotated));
      expect(await stored(rotated)).toMatchObject({ owner: id.split('.')[1], ownerEpoch: 0, label: 'Phone' });
      expect((await listSessions('ada')).map((d) => d.label)).toEqual(['Phone']);
    });

    it('moves a session to another owner on a log-in as another user', async () => {
      const id = idOf(await logInAs('ada')({}));
      const bob = idOf(await logInAs('bob')(header(id)));
      expect(await listSessions('ada')).toEqual([]);
      expect(await listSessions('bob')).toHaveLength(1);
      expect(await signedIn(id)).toBe(false);
      expect(seen(await view(header(bob)))).toEqual({ user: 'bob' });
    });

    it('cleans a device label made of what a client sent, and bounds it', async () => {
      const hostile = `Evil\r\nSet-Cookie: x=1\u0000\u2028\u202e\u200b\ud800e\u0301${'é'.repeat(300)}`;
      await logInAs('ada', hostile)({});
      const [device] = await listSessions('ada');
      // eslint-disable-next-line no-control-regex
      expect(device!.label).not.toMatch(/[\r\n\u0000\u2028\u202e\u200b]|\p{Cs}|\u0301/u);
      expect(device!.label!.startsWith('Evil Set-Cookie: x=1 é')).toBe(true);
      expect([...device!.label!]).toHaveLength(100);
    });

    it('refuses what owners cannot work with, before anything is written', async () => {
      const anonymous = idOf(await handler((data) => void (data.theme = 'dark'))({}));
      const count = await local.count();
      const attempts: [Action, RegExp][] = [
        [(_d, s) => s.regenerate({ owner: '' }), /non-empty string/],
        [(_d, s) => s.regenerate({ seed: 'ada' } as never), /regenerate\(\{ owner: userId \}\)/],
        [(_d, s) => s.regenerate({ label: 'Phone' }), /pass owner too/],
        [(_d, s) => s.regenerate({ owner: 'ada', label: 42 as never }), /label as a string/],
        [(_d, s) => s.regenerate({ owner: 'x'.repeat(1025) }), /at most 1024 characters/],
      ];
      for (const [act, message] of attempts) {
        await expect(handler(act)(header(anonymous))).rejects.toThrow(message);
      }
      local.configure({}); // no idSecret
      await expect(logInAs('ada')(header(anonymous))).rejects.toThrow(/set the idSecret option/);
      await expect(listSessions('ada')).rejects.toThrow(/set idSecret in configureSessions\(\)/);
      await expect(listSessions('')).rejects.toThrow(/non-empty string/);
      await expect(revokeSession('ada', '', { idSecret: SECRET })).rejects.toThrow(
        /the ref listSessions\(\) gave/,
      );
      expect(await local.count()).toBe(count);
      expect(seen(await view(header(anonymous)))).toEqual({ theme: 'dark' });
    });

    it('counts an owned session whose store kept no epoch as bound under 0', async () => {
      const id = idOf(await logInAs('ada')({}));
      const item = (await stored(id))!;
      const { ownerEpoch: _dropped, ...withoutEpoch } = item;
      await plant(local.store, withoutEpoch);
      expect(await signedIn(id)).toBe(true);
      await handler((data) => void (data.theme = 'dark'))(header(id)); // a write keeps the binding whole
      expect(await stored(id)).toMatchObject({ ownerEpoch: 0 });
      await plant(local.store, { ...withoutEpoch, version: (await stored(id))!.version });
      await revokeAllSessions('ada');
      expect(await signedIn(id)).toBe(false);
    });

    it('lists a session that never expires without an expiry', async () => {
      local.configure({ idSecret: SECRET, ttl: 0, absoluteTimeout: 0 });
      await logInAs('ada')({});
      const [device] = await listSessions('ada');
      expect(device?.expiresAt).toBeUndefined();
    });

    it('says absent when the session listed is gone by the time it is revoked', async () => {
      const id = idOf(await logInAs('ada')({}));
      const owners = local.store.owners!;
      const stale = await owners.list(id.split('.')[1]!);
      await local.store.delete(hashSessionId(id));
      const store: SessionStore = {
        load: (key) => local.store.load(key),
        save: (session, expected) => local.store.save(session, expected),
        touch: (key, change) => local.store.touch(key, change),
        delete: (key, condition) => local.store.delete(key, condition),
        owners: { ...owners, list: async () => stale },
      };
      expect(await revokeSession('ada', stale[0]!.key.slice(0, 10), { store })).toBe('absent');
    });

    it('says which store cannot keep owners, and writes nothing', async () => {
      const store = storeWithoutOwners();
      configureSessions({ store, idSecret: SECRET });
      const anonymous = idOf(await handler((data) => void (data.theme = 'dark'))({}));
      await expect(logInAs('ada')(header(anonymous))).rejects.toBeInstanceOf(SessionConfigurationError);
      await expect(logInAs('ada')(header(anonymous))).rejects.toThrow(/implement SessionStore.owners/);
      await expect(listSessions('ada')).rejects.toThrow(/keeps no owners/);
      expect(await store.load(hashSessionId(anonymous))).toMatchObject({ version: 1 });
      // An owned id (another deployment's, on another store) opens nothing here, and costs no read.
      const owned = `${'A'.repeat(43)}.${'B'.repeat(43)}`;
      const response = await view(header(owned));
      expect(seen(response)).toEqual({});
      expect(idOf(response)).not.toBe(owned);
    });
  });
}
