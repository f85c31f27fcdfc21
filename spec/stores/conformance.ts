// What every SessionStore must do, as the engine relies on it. `describeStoreConformance` runs the same
// tests against any store; stores.conformance.dynalite.spec.ts runs it for each one this library ships.
import { SessionConflictError, type SessionStore, type StoredSession } from '../../src';
import { conflictWinner } from '../../src/errors';

let counter = 0;
const freshKey = () => `conformance-key-${process.pid}-${++counter}`;

const session = (key: string, overrides: Partial<StoredSession> = {}): StoredSession => ({
  key,
  data: '{"n":1}',
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_000_000,
  version: 1,
  expiresAt: 1_700_000_600_000,
  ...overrides,
});

export function describeStoreConformance(name: string, makeStore: () => SessionStore): void {
  describe(`${name} conforms to SessionStore`, () => {
    let store: SessionStore;
    beforeEach(() => {
      store = makeStore();
    });

    it('loads nothing for a key never saved', async () => {
      expect(await store.load(freshKey())).toBeUndefined();
    });

    it('creates, then loads exactly what was saved', async () => {
      const key = freshKey();
      const data = JSON.stringify({ text: 'ünïcödé 😀 "quotes" \\ \n', n: 1e21, list: [null, true] });
      await store.save(session(key, { data }), undefined);
      expect(await store.load(key)).toEqual(session(key, { data }));
    });

    it('keeps the schema version of the data', async () => {
      const key = freshKey();
      await store.save(session(key, { schemaVersion: 3 }), undefined);
      expect((await store.load(key))?.schemaVersion).toBe(3);
    });

    it('keeps a session without expiry without one', async () => {
      const key = freshKey();
      await store.save(session(key, { expiresAt: undefined }), undefined);
      expect((await store.load(key))?.expiresAt).toBeUndefined();
    });

    it('refuses to create over an existing session', async () => {
      const key = freshKey();
      await store.save(session(key), undefined);
      await expect(store.save(session(key, { data: '"other"' }), undefined)).rejects.toBeInstanceOf(
        SessionConflictError,
      );
      expect((await store.load(key))?.data).toBe('{"n":1}');
    });

    it('replaces only the expected version, and reports what won otherwise', async () => {
      const key = freshKey();
      await store.save(session(key), undefined);
      await store.save(session(key, { data: '{"n":2}', version: 2 }), 1);
      const error = await store
        .save(session(key, { data: '{"n":3}', version: 2 }), 1)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessionConflictError);
      const winner = conflictWinner(error as SessionConflictError);
      if (winner !== undefined) expect(winner?.data).toBe('{"n":2}'); // a store may leave the reread to the engine
      expect(await store.load(key)).toEqual(session(key, { data: '{"n":2}', version: 2 }));
    });

    it('refuses to replace a session that is gone', async () => {
      await expect(store.save(session(freshKey(), { version: 2 }), 1)).rejects.toBeInstanceOf(
        SessionConflictError,
      );
    });

    it('touches expiry and time only, and only at the expected version', async () => {
      const key = freshKey();
      await store.save(session(key), undefined);
      expect(
        await store.touch(key, {
          expiresAt: 1_700_000_900_000,
          updatedAt: 1_700_000_300_000,
          expectedVersion: 1,
        }),
      ).toBe(true);
      expect(await store.load(key)).toEqual(
        session(key, { expiresAt: 1_700_000_900_000, updatedAt: 1_700_000_300_000 }),
      );
      expect(
        await store.touch(key, {
          expiresAt: 1_700_009_999_000,
          updatedAt: 1_700_009_999_000,
          expectedVersion: 7,
        }),
      ).toBe(false);
      expect(await store.touch(freshKey(), { expiresAt: 1000, updatedAt: 1, expectedVersion: 1 })).toBe(
        false,
      );
      expect((await store.load(key))?.expiresAt).toBe(1_700_000_900_000);
    });

    it('touch can remove the expiry', async () => {
      const key = freshKey();
      await store.save(session(key), undefined);
      await store.touch(key, { expiresAt: undefined, updatedAt: 1_700_000_300_000, expectedVersion: 1 });
      expect((await store.load(key))?.expiresAt).toBeUndefined();
    });

    it('deletes, and deleting nothing is no error', async () => {
      const key = freshKey();
      await store.save(session(key), undefined);
      await store.delete(key);
      expect(await store.load(key)).toBeUndefined();
      await expect(store.delete(key)).resolves.toBeUndefined();
    });

    it('hands out copies: changing a loaded session changes nothing stored', async () => {
      const key = freshKey();
      await store.save(session(key), undefined);
      const loaded = (await store.load(key)) as { data: string };
      loaded.data = 'mutated';
      expect((await store.load(key))?.data).toBe('{"n":1}');
    });

    it('keeps a key named like an Object.prototype member as a plain key', async () => {
      await store.save(session('__proto__'), undefined);
      expect((await store.load('__proto__'))?.data).toBe('{"n":1}');
      expect(await store.load('constructor')).toBeUndefined();
      await store.delete('__proto__');
    });

    it('lets exactly one of ten concurrent creates of one key win', async () => {
      const key = freshKey();
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => store.save(session(key, { data: String(i) }), undefined)),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    });
  });
}
