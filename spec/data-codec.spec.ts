// Session data between the handler's object and the stored JSON, on the memory store: every failure is a
// SessionError.
import { IsInt, IsOptional, IsString, Min } from 'class-validator';
import {
  configureSessions,
  getSessionData,
  hashSessionId,
  MemorySessionStore,
  SessionSerializationError,
  SessionValidationError,
  setSessionData,
  type StoredSession,
  type WithSessionOptions,
  withSession,
} from '../src';

type Response = { statusCode: number; headers: Record<string, string> };
const ok = (): Response => ({ statusCode: 200, headers: {} });
const ID = 'D'.repeat(43);
const event = (id?: string) => ({ headers: id ? { 'session-id': id } : {} });

let store: MemorySessionStore;
beforeEach(() => {
  store = new MemorySessionStore();
  configureSessions({ store });
});

/** A handler that does `change` to the session's data (or returns new data to set), then answers 200. */
function handler<T>(change: (data: T) => unknown, options: WithSessionOptions = {}) {
  return withSession(
    async (_event: unknown) => {
      const replacement = change(getSessionData<T>());
      if (replacement !== undefined) setSessionData(replacement);
      return ok();
    },
    { update: true, ...options },
  );
}

class Score {
  @IsInt() @Min(0) points = 0;
  @IsOptional() @IsString() note?: string;
}

describe('a migrate function that throws', () => {
  const t0 = Date.now();
  const v1Item = (): StoredSession => ({
    key: hashSessionId(ID),
    data: JSON.stringify({ score: 3 }),
    createdAt: t0 - 1_000,
    updatedAt: t0 - 1_000,
    version: 1,
    expiresAt: t0 + 60_000,
    schemaVersion: 1,
  });
  const failure = new TypeError("Cannot read properties of undefined (reading 'map')");
  const migrations = [
    ['throws', () => { throw failure; }], // prettier-ignore
    ['rejects', () => Promise.reject(failure)],
  ] as const;

  it.each(migrations)(
    'is invalid stored data (it %s): a SessionValidationError from the store, with the error as cause',
    async (_how, migrate) => {
      await store.save(v1Item(), undefined);
      let ran = false;
      const view = handler(() => void (ran = true), { type: Score, version: 2, migrate });

      const error = (await view(event(ID)).catch((e: unknown) => e)) as SessionValidationError;

      expect(error).toBeInstanceOf(SessionValidationError);
      expect(error.source).toBe('store');
      expect(error.cause).toBe(failure);
      expect(error.message).toMatch(
        /migrate\(data, 1\) to version 2 threw TypeError: Cannot read properties/,
      );
      expect(ran).toBe(false);
      expect(await store.load(hashSessionId(ID))).toEqual(v1Item());
    },
  );

  it("starts the session afresh under the same id with onInvalidStored: 'reset', like other invalid data", async () => {
    await store.save(v1Item(), undefined);
    const view = handler(() => undefined, {
      type: Score,
      version: 2,
      migrate: migrations[0][1],
      onInvalidStored: 'reset',
    });

    const response = await view(event(ID));

    expect(response.headers['session-id']).toBe(ID);
    const fresh = (await store.load(hashSessionId(ID)))!;
    expect(JSON.parse(fresh.data)).toEqual({ points: 0 });
    expect(fresh.schemaVersion).toBe(2);
  });
});

describe('data JSON cannot hold is a SessionSerializationError, and nothing is written', () => {
  class Ledger {
    @IsOptional() balance?: unknown;
    @IsOptional() owner?: unknown;
  }

  it('a BigInt, in a new session: named by its path', async () => {
    const write = handler<Ledger>((data) => void (data.balance = { cents: 10n }), { type: Ledger });

    const error = await write(event()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SessionSerializationError);
    expect((error as Error).message).toMatch(/a BigInt at balance\.cents/);
    expect(store.size).toBe(0);
  });

  it('a BigInt, in an update of an existing session: the stored session is what it was', async () => {
    const id = (await handler<Ledger>(() => undefined, { type: Ledger })(event())).headers['session-id']!;
    const before = await store.load(hashSessionId(id));

    const error = await handler<Ledger>((data) => void (data.balance = 10n), { type: Ledger })(
      event(id),
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SessionSerializationError);
    expect(await store.load(hashSessionId(id))).toEqual(before);
  });

  it('a BigInt in plain session data (no type), as session-lambda handlers hold it', async () => {
    await expect(handler(() => 10n)(event())).rejects.toThrow(SessionSerializationError);
    expect(store.size).toBe(0);
  });

  it('a cycle: named by the path that leads back', async () => {
    const write = handler<Ledger>(
      (data) => {
        const owner: Record<string, unknown> = { name: 'ada' };
        owner.ledger = data;
        data.owner = owner;
      },
      { type: Ledger },
    );

    const error = await write(event()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SessionSerializationError);
    expect((error as Error).message).toMatch(/a cycle at owner\.ledger/);
    expect(store.size).toBe(0);
  });

  it.each([
    ['null', null],
    ['a number', 42],
    ['a string', 'ada'],
    ['an array', [1, 2]],
  ])('setSessionData(%s) where the session is a class: refused, saying so', async (_what, value) => {
    for (const validation of [{}, false] as const) {
      const write = handler(() => undefined, { type: Score, validation });
      const replace = withSession(
        async () => {
          setSessionData(value);
          return ok();
        },
        { type: Score, validation, update: true },
      );
      const id = (await write(event())).headers['session-id']!;
      const before = await store.load(hashSessionId(id));

      const error = await replace(event(id)).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(SessionSerializationError);
      expect((error as Error).message).toMatch(/setSessionData\(\).* a Score/);
      expect(await store.load(hashSessionId(id))).toEqual(before);
    }
  });
});
