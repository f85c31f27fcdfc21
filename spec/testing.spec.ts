// lambda-sessions/testing: the conformance suite fails a store that breaks the contract, and says what it
// needs from the test runner.
import {
  checkWriteCondition,
  MemorySessionStore,
  SessionConfigurationError,
  SessionConflictError,
  type SessionStore,
  type StoredSession,
  type TouchChange,
} from '../src';
import { type ConformanceTestApi, describeSessionStoreConformance } from '../src/testing';

/** Runs the suite against `makeStore` through a test API of our own, and returns each test's outcome. */
async function outcomes(makeStore: () => SessionStore): Promise<Map<string, 'passed' | 'failed'>> {
  const tests: [string, () => Promise<void>][] = [];
  const before: (() => void | Promise<void>)[] = [];
  const api: ConformanceTestApi = {
    describe: (_name, body) => body(),
    it: (name, body) => tests.push([name, body]),
    beforeEach: (body) => before.push(body),
  };
  describeSessionStoreConformance('under test', makeStore, api);
  const results = new Map<string, 'passed' | 'failed'>();
  for (const [name, body] of tests) {
    for (const hook of before) await hook();
    results.set(
      name,
      await body().then(
        () => 'passed' as const,
        () => 'failed' as const,
      ),
    );
  }
  return results;
}

/** A store that writes without its condition: the lost update the contract exists to prevent. */
class BlindStore extends MemorySessionStore {
  override async save(session: StoredSession): Promise<void> {
    const current = await this.load(session.key);
    await super.save(session, current?.version);
  }
}

/** A store that hands out the object it keeps, so a caller's change reaches the store. */
class SharingStore implements SessionStore {
  private readonly items = new Map<string, StoredSession>();
  async load(key: string) {
    return this.items.get(key);
  }
  async save(session: StoredSession, expectedVersion: number | undefined) {
    checkWriteCondition(this.items.get(session.key), session, expectedVersion);
    this.items.set(session.key, { ...session });
  }
  async touch(key: string, change: TouchChange) {
    const current = this.items.get(key);
    if (current?.version !== change.expectedVersion) return false;
    this.items.set(key, { ...current, expiresAt: change.expiresAt, updatedAt: change.updatedAt });
    return true;
  }
  async delete(key: string) {
    return this.items.delete(key) ? ('deleted' as const) : ('absent' as const);
  }
}

describe('describeSessionStoreConformance', () => {
  it('passes the memory store on every test', async () => {
    const results = await outcomes(() => new MemorySessionStore());
    expect(results.size).toBeGreaterThanOrEqual(13);
    expect([...results.values()].every((r) => r === 'passed')).toBe(true);
  });

  it('fails a store that writes without its condition', async () => {
    const results = await outcomes(() => new BlindStore());
    expect(results.get('refuses to create over an existing session')).toBe('failed');
    expect(results.get('replaces only the expected version, and reports what won otherwise')).toBe('failed');
    expect(results.get('loads nothing for a key never saved')).toBe('passed');
  });

  it('fails a store that hands out what it keeps', async () => {
    const results = await outcomes(() => new SharingStore());
    expect(results.get('hands out copies: changing a loaded session changes nothing stored')).toBe('failed');
  });

  it('says what it needs when the runner has no describe/it/beforeEach globals', () => {
    const saved = globalThis.describe;
    try {
      Reflect.deleteProperty(globalThis, 'describe');
      expect(() => describeSessionStoreConformance('x', () => new MemorySessionStore())).toThrow(
        SessionConfigurationError,
      );
    } finally {
      globalThis.describe = saved;
    }
  });
});

/** A store that reports the session it tried to write as the winner of the race it lost. */
class WrongWinnerStore extends MemorySessionStore {
  override async save(session: StoredSession, expectedVersion: number | undefined): Promise<void> {
    try {
      await super.save(session, expectedVersion);
    } catch (error) {
      if (!(error instanceof SessionConflictError)) throw error;
      throw new SessionConflictError(error.sessionRef, { key: session.key, current: session });
    }
  }
}

it('fails a store that names the wrong winner of a lost race', async () => {
  const results = await outcomes(() => new WrongWinnerStore());
  expect(results.get('replaces only the expected version, and reports what won otherwise')).toBe('failed');
  expect(results.get('refuses to create over an existing session')).toBe('passed');
});
