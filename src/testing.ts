/**
 * lambda-sessions for testing a store of your own: `import { describeSessionStoreConformance } from
 * 'lambda-sessions/testing'`. The same suite runs against every store this package ships.
 * @packageDocumentation
 */
import { deepStrictEqual, ok, rejects, strictEqual } from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { conflictWinner, SessionConflictError, SessionConfigurationError } from './errors';
import { type OwnerIndex, type SessionStore, type StoredSession } from './stores/session-store';

/**
 * The test functions the suite registers its tests with. Jest, Vitest, Mocha and `node:test` (imported) all
 * have this shape; by default the suite takes the globals of that name.
 */
export interface ConformanceTestApi {
  /** Groups tests. */
  describe: (name: string, body: () => void) => unknown;
  /** One test. */
  it: (name: string, body: () => Promise<void>) => unknown;
  /** Runs before each test of the group. */
  beforeEach: (body: () => void | Promise<void>) => unknown;
}

/**
 * Registers the tests every `SessionStore` must pass, as the engine relies on them: exact round trips,
 * conditional creates and replaces (with the winner reported when the store knows it), touches that change
 * only expiry and time at the expected version, deletes, copies rather than shared objects, keys named like
 * `Object.prototype` members, and one winner among concurrent creates. Assertions use `node:assert`, so any
 * test runner works.
 *
 * @param name the store's name, for the test titles
 * @param makeStore a fresh store (or one with room for fresh keys) for each test
 * @param api the test functions; by default the runner's globals `describe`, `it` and `beforeEach`
 * @example
 * // my-store.spec.ts, under jest or vitest
 * import { describeSessionStoreConformance } from 'lambda-sessions/testing';
 * describeSessionStoreConformance('RedisSessionStore', () => new RedisSessionStore(client));
 */
export function describeSessionStoreConformance(
  name: string,
  makeStore: () => SessionStore | Promise<SessionStore>,
  api: ConformanceTestApi = globalTestApi(),
): void {
  const { describe, it, beforeEach } = api;
  describe(`${name} conforms to SessionStore`, () => {
    let store: SessionStore;
    beforeEach(async () => {
      store = await makeStore();
    });

    it('loads nothing for a key never saved', async () => {
      strictEqual(await store.load(freshKey()), undefined);
    });

    it('creates, then loads exactly what was saved', async () => {
      const key = freshKey();
      const data = JSON.stringify({ text: 'ünïcödé 😀 "quotes" \\ \n', n: 1e21, list: [null, true] });
      await store.save(session(key, { data }), undefined);
      deepStrictEqual(await store.load(key), session(key, { data }));
    });

    it('keeps the schema version of the data', async () => {
      const key = freshKey();
      await store.save(session(key, { schemaVersion: 3 }), undefined);
      strictEqual((await store.load(key))?.schemaVersion, 3);
    });

    it('keeps the fingerprint of the rules the data passed, and through an expiry slide', async () => {
      const key = freshKey();
      await store.save(session(key, { validatedRules: 'cnVsZXMtZmluZ2VycHJpbnQ' }), undefined);
      await store.touch(key, { expiresAt: Date.now() + 60_000, updatedAt: Date.now(), expectedVersion: 1 });
      strictEqual((await store.load(key))?.validatedRules, 'cnVsZXMtZmluZ2VycHJpbnQ');
    });

    it('keeps the log-in chain of a session, and through an expiry slide', async () => {
      const key = freshKey();
      await store.save(session(key, { chain: 'c2hhaW4tc2FsdC0xMjM0' }), undefined);
      await store.touch(key, { expiresAt: Date.now() + 60_000, updatedAt: Date.now(), expectedVersion: 1 });
      strictEqual((await store.load(key))?.chain, 'c2hhaW4tc2FsdC0xMjM0');
    });

    it('keeps a session without expiry without one', async () => {
      const key = freshKey();
      await store.save(session(key, { expiresAt: undefined }), undefined);
      strictEqual((await store.load(key))?.expiresAt, undefined);
    });

    it('refuses to create over an existing session', async () => {
      const key = freshKey();
      await store.save(session(key), undefined);
      await rejects(store.save(session(key, { data: '"other"' }), undefined), isConflict);
      strictEqual((await store.load(key))?.data, '{"n":1}');
    });

    it('replaces only the expected version, and reports what won otherwise', async () => {
      const key = freshKey();
      await store.save(session(key), undefined);
      await store.save(session(key, { data: '{"n":2}', version: 2 }), 1);
      const error: unknown = await store.save(session(key, { data: '{"n":3}', version: 2 }), 1).then(
        () => undefined,
        (e: unknown) => e,
      );
      ok(isConflict(error), 'a replace of a version no longer stored is a SessionConflictError');
      const winner = conflictWinner(error);
      // A store may leave the reread to the engine (no winner); one that names a winner must name the right one.
      if (winner !== undefined) {
        strictEqual(winner.key, key);
        strictEqual(winner.current?.data, '{"n":2}');
      }
      deepStrictEqual(await store.load(key), session(key, { data: '{"n":2}', version: 2 }));
    });

    it('refuses to replace a session that is gone', async () => {
      await rejects(store.save(session(freshKey(), { version: 2 }), 1), isConflict);
    });

    it('touches expiry and time only, and only at the expected version', async () => {
      const key = freshKey();
      await store.save(session(key), undefined);
      const touch = { expiresAt: 1_700_000_900_000, updatedAt: 1_700_000_300_000, expectedVersion: 1 };
      strictEqual(await store.touch(key, touch), true);
      deepStrictEqual(
        await store.load(key),
        session(key, { expiresAt: 1_700_000_900_000, updatedAt: 1_700_000_300_000 }),
      );
      const stale = { expiresAt: 1_700_009_999_000, updatedAt: 1_700_009_999_000, expectedVersion: 7 };
      strictEqual(await store.touch(key, stale), false);
      strictEqual(
        await store.touch(freshKey(), { expiresAt: 1000, updatedAt: 1, expectedVersion: 1 }),
        false,
      );
      strictEqual((await store.load(key))?.expiresAt, 1_700_000_900_000);
    });

    it('touch can remove the expiry', async () => {
      const key = freshKey();
      await store.save(session(key), undefined);
      await store.touch(key, { expiresAt: undefined, updatedAt: 1_700_000_300_000, expectedVersion: 1 });
      strictEqual((await store.load(key))?.expiresAt, undefined);
    });

    it('deletes, and deleting nothing is no error', async () => {
      const key = freshKey();
      await store.save(session(key), undefined);
      strictEqual(await store.delete(key), 'deleted');
      strictEqual(await store.load(key), undefined);
      strictEqual(await store.delete(key), 'absent');
    });

    it('deletes on a condition only the version that was read, and reports what won otherwise', async () => {
      const key = freshKey();
      await store.save(session(key), undefined);
      await store.save(session(key, { data: '{"n":2}', version: 2 }), 1);
      const error: unknown = await store.delete(key, { expectedVersion: 1 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      ok(isConflict(error), 'a delete of a version no longer stored is a SessionConflictError');
      const winner = conflictWinner(error);
      if (winner !== undefined) strictEqual(winner.current?.version, 2);
      strictEqual((await store.load(key))?.data, '{"n":2}');
      strictEqual(await store.delete(key, { expectedVersion: 2 }), 'deleted');
      strictEqual(await store.delete(key, { expectedVersion: 2 }), 'absent');
    });

    it('applies a write sent twice (its answer lost) once, by its write token', async () => {
      const key = freshKey();
      await store.save(session(key, { writeTokens: ['t1'] }), undefined);
      const next = session(key, { data: '{"n":2}', version: 2, writeTokens: ['t2', 't1'] });
      await store.save(next, 1);
      await store.save(next, 1); // the SDK's retry of a write that was applied
      deepStrictEqual(await store.load(key), next);
      const created = session(freshKey(), { writeTokens: ['c1'] });
      await store.save(created, undefined);
      await store.save(created, undefined); // a create's retry
      deepStrictEqual(await store.load(created.key), created);
    });

    it('resolves a resent write that was applied and then built upon, without writing it again', async () => {
      const key = freshKey();
      await store.save(session(key, { writeTokens: ['t1'] }), undefined);
      const mine = session(key, { data: '{"mine":true}', version: 2, writeTokens: ['t2', 't1'] });
      await store.save(mine, 1);
      const later = session(key, { data: '{"later":true}', version: 3, writeTokens: ['t3', 't2', 't1'] });
      await store.save(later, 2);
      await store.save(mine, 1); // a late resend of `mine`: acknowledged, and `later` stays
      deepStrictEqual(await store.load(key), later);
      await rejects(
        store.save(session(key, { data: '"rival"', version: 2, writeTokens: ['r1', 't1'] }), 1),
        isConflict,
      );
    });

    it('hands out copies: changing a loaded session changes nothing stored', async () => {
      const key = freshKey();
      await store.save(session(key), undefined);
      const loaded = (await store.load(key)) as { data: string };
      loaded.data = 'mutated';
      strictEqual((await store.load(key))?.data, '{"n":1}');
    });

    it('keeps a key named like an Object.prototype member as a plain key', async () => {
      await store.save(session('__proto__'), undefined);
      strictEqual((await store.load('__proto__'))?.data, '{"n":1}');
      strictEqual(await store.load('constructor'), undefined);
      await store.delete('__proto__');
    });

    it('lets exactly one of ten concurrent creates of one key win', async () => {
      const key = freshKey();
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => store.save(session(key, { data: String(i) }), undefined)),
      );
      strictEqual(results.filter((r) => r.status === 'fulfilled').length, 1);
      ok(
        results.every((r) => r.status === 'fulfilled' || isConflict(r.reason)),
        'the losers are conflicts',
      );
    });
  });
}

/**
 * Registers the tests of a store's `SessionStore.owners` (sessions that belong to a user): owner
 * attributes kept exactly, the session and its owner's epoch read together, epochs raised atomically and
 * independently per owner, and the owner's list of sessions without their data. Run it beside
 * {@link describeSessionStoreConformance} for a store that implements `owners`.
 *
 * @param name the store's name, for the test titles
 * @param makeStore a fresh store (or one with room for fresh keys) for each test
 * @param api the test functions; by default the runner's globals `describe`, `it` and `beforeEach`
 */
export function describeOwnerIndexConformance(
  name: string,
  makeStore: () => SessionStore | Promise<SessionStore>,
  api: ConformanceTestApi = globalTestApi(),
): void {
  const { describe, it, beforeEach } = api;
  describe(`${name} conforms to SessionStore.owners`, () => {
    let store: SessionStore;
    let owners: OwnerIndex;
    beforeEach(async () => {
      store = await makeStore();
      if (!store.owners)
        throw new SessionConfigurationError(`${name} has no owners index (SessionStore.owners).`);
      owners = store.owners;
    });

    it('gives epoch 0 for an owner never revoked, and no session for a key never saved', async () => {
      const owner = freshKey();
      strictEqual(await owners.epoch(owner), 0);
      deepStrictEqual(await owners.loadOwned(freshKey(), owner), { session: undefined, epoch: 0 });
    });

    it('keeps the owner, the epoch it was bound under and the label, and through an expiry slide', async () => {
      const key = freshKey();
      const owned = { owner: freshKey(), ownerEpoch: 2, label: 'Firefox on Linux ✓' };
      await store.save(session(key, owned), undefined);
      await store.touch(key, { expiresAt: Date.now() + 60_000, updatedAt: Date.now(), expectedVersion: 1 });
      const loaded = await store.load(key);
      deepStrictEqual({ owner: loaded?.owner, ownerEpoch: loaded?.ownerEpoch, label: loaded?.label }, owned);
    });

    it('reads the session and its owner’s epoch together, the epoch raised by revokeAll', async () => {
      const key = freshKey();
      const owner = freshKey();
      await store.save(session(key, { owner, ownerEpoch: 0 }), undefined);
      strictEqual(await owners.revokeAll(owner), 1);
      const { session: found, epoch } = await owners.loadOwned(key, owner);
      strictEqual(found?.key, key);
      strictEqual(found?.owner, owner);
      strictEqual(epoch, 1);
      strictEqual(await owners.epoch(owner), 1);
    });

    it('raises an owner’s epoch once per revokeAll, when ten run at once, and no other owner’s', async () => {
      const owner = freshKey();
      const other = freshKey();
      const epochs = await Promise.all(Array.from({ length: 10 }, () => owners.revokeAll(owner)));
      deepStrictEqual(
        [...epochs].sort((a, b) => a - b),
        Array.from({ length: 10 }, (_, i) => i + 1),
      );
      strictEqual(await owners.epoch(owner), 10);
      strictEqual(await owners.epoch(other), 0);
    });

    it('lists the owner’s sessions without their data, and no one else’s', async () => {
      const owner = freshKey();
      const [phone, laptop, theirs, nobodys] = [freshKey(), freshKey(), freshKey(), freshKey()];
      await store.save(
        session(phone, { owner, ownerEpoch: 0, label: 'Phone', updatedAt: 1_700_000_001_000 }),
        undefined,
      );
      await store.save(session(laptop, { owner, ownerEpoch: 1 }), undefined);
      await store.save(session(theirs, { owner: freshKey(), ownerEpoch: 0 }), undefined);
      await store.save(session(nobodys), undefined);
      const listed = [...(await owners.list(owner))].sort((a, b) => a.key.localeCompare(b.key));
      deepStrictEqual(
        listed,
        [
          {
            key: phone,
            createdAt: 1_700_000_000_000,
            updatedAt: 1_700_000_001_000,
            expiresAt: 1_700_000_600_000,
            ownerEpoch: 0,
            label: 'Phone',
          },
          {
            key: laptop,
            createdAt: 1_700_000_000_000,
            updatedAt: 1_700_000_000_000,
            expiresAt: 1_700_000_600_000,
            ownerEpoch: 1,
            label: undefined,
          },
        ].sort((a, b) => a.key.localeCompare(b.key)),
      );
      deepStrictEqual(await owners.list(freshKey()), []);
    });
  });
}

// Fresh keys for each run: a persistent store (a real table) may still hold an earlier run's.
const run = randomUUID();
let counter = 0;
const freshKey = () => `conformance-${run}-${++counter}`;

const session = (key: string, overrides: Partial<StoredSession> = {}): StoredSession => ({
  key,
  data: '{"n":1}',
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_000_000,
  version: 1,
  expiresAt: 1_700_000_600_000,
  ...overrides,
});

const isConflict = (error: unknown): error is SessionConflictError => error instanceof SessionConflictError;

function globalTestApi(): ConformanceTestApi {
  const globals = globalThis as Partial<Record<keyof ConformanceTestApi, unknown>>;
  const { describe, it, beforeEach } = globals;
  if (typeof describe !== 'function' || typeof it !== 'function' || typeof beforeEach !== 'function') {
    throw new SessionConfigurationError(
      'describeSessionStoreConformance() found no describe, it and beforeEach globals: run it under jest, ' +
        "vitest or mocha, or pass them (import { describe, it, beforeEach } from 'node:test').",
    );
  }
  return { describe, it, beforeEach } as ConformanceTestApi;
}
