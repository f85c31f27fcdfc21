// Session data between the handler's object and the stored JSON, on the memory store: every failure is a
// SessionError.
import { IsInt, IsOptional, IsString, Min } from 'class-validator';
import {
  configureSessions,
  getSessionData,
  hashSessionId,
  MemorySessionStore,
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
