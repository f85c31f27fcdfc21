// The store a run of the engine rules (spec/engine-rules) uses: the same rules run as unit tests on
// MemorySessionStore (engine.spec.ts) and as integration tests on dynalite (engine.dynalite.spec.ts).
import { configureSessions, type SessionOptions, type SessionStore, type StoredSession } from '../../src';
import { CountingStore } from './counting-store';

/** What the engine rules need of a store: configure the library with it, plant sessions, look inside. */
export interface EngineStore {
  /** Configures the library with this store and `options`; like `configureSessions()`, it replaces the whole configuration. */
  configure(options?: SessionOptions): void;
  /** A store on the sessions the library uses, to plant sessions and read them back. */
  readonly store: SessionStore;
  /** How many sessions are held, expired ones included. */
  count(): Promise<number>;
  /**
   * What reached the store's backend since the last `resetCalls()`, named as store calls: `load`, `save`,
   * `touch`, `delete` (a backend request that is none of them keeps its own name, and fails the comparison).
   */
  calls(): string[];
  resetCalls(): void;
}

/** A {@link EngineStore} on a fresh {@link CountingStore}, a memory store that records each call. */
export function memoryEngineStore(): EngineStore {
  const store = new CountingStore();
  return {
    configure: (options = {}) => configureSessions({ ...options, store }),
    store,
    count: async () => store.size,
    calls: () => [...store.calls],
    resetCalls: () => {
      store.calls.length = 0;
    },
  };
}

/** Writes `session` over whatever is stored under its key: to set up states the library would not write itself. */
export async function plant(store: SessionStore, session: StoredSession): Promise<void> {
  const current = await store.load(session.key);
  await store.save(session, current?.version);
}
