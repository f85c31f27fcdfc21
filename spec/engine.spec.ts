// The engine's rules (spec/engine-rules) as unit tests, on MemorySessionStore. engine.dynalite.spec.ts runs
// the same rules on DynamoDB.
import {
  configureSessions,
  getSessionData,
  hashSessionId,
  MemorySessionStore,
  SessionConflictError,
  type SessionLogger,
  setSessionData,
  withSession,
} from '../src';
import { describeEngineRules } from './engine-rules';
import { memoryEngineStore } from './support/engine-store';
import { fakeContext } from './support/lambda';

describeEngineRules('MemorySessionStore', memoryEngineStore);

describe('a retry after a race lost on MemorySessionStore, which names the winner', () => {
  it('reads nothing again when the winner deleted the session', async () => {
    const local = memoryEngineStore();
    local.configure();
    const zero = withSession(async (_event: unknown) => {
      setSessionData(0);
      return { headers: {} as Record<string, string> };
    });
    const id = (await zero({})).headers['session-id']!;
    let runs = 0;
    const increment = withSession(
      async (_event: unknown) => {
        if (runs++ === 0) await local.store.delete(hashSessionId(id)); // a rival log-out after our read
        setSessionData((getSessionData<number>() ?? 0) + 1);
        return { headers: {} as Record<string, string> };
      },
      { update: true, onConflict: 'retry' },
    );
    local.resetCalls();

    await increment({ headers: { 'session-id': id } });

    // Our read, the rival's delete, our lost write, the retry's write: no second read.
    expect(local.calls()).toEqual(['load', 'delete', 'save', 'save']);
    expect(runs).toBe(2);
  });
});

describe('the retries of a lost race, on MemorySessionStore', () => {
  const zero = withSession(async (_event: unknown) => {
    setSessionData(0);
    return { headers: {} as Record<string, string> };
  });
  /** A rival request that changes the session between our read and our write. */
  const rivalWrites = async (store: MemorySessionStore, id: string) => {
    const read = (await store.load(hashSessionId(id)))!;
    await store.save(
      { ...read, data: String(Number(read.data) + 10), version: read.version + 1 },
      read.version,
    );
  };

  it("runs the first retry at once on the winner's data, and reads the session again after a later pause", async () => {
    const local = memoryEngineStore();
    local.configure();
    const id = (await zero({})).headers['session-id']!;
    let runs = 0;
    const increment = withSession(
      async (_event: unknown) => {
        if (runs++ < 2) await rivalWrites(local.store as MemorySessionStore, id); // the rival wins twice
        setSessionData(getSessionData<number>()! + 1);
        return { headers: {} as Record<string, string> };
      },
      { update: true, onConflict: 'retry' },
    );
    local.resetCalls();

    await increment({ headers: { 'session-id': id } });

    expect(local.calls()).toEqual([
      ...['load', 'load', 'save', 'save'], // our read, the rival's read and write, our lost write
      ...['load', 'save', 'save'], // at once on the winner's data: the rival again, our lost write
      ...['load', 'save'], // after a pause, read again: our write
    ]);
    expect(runs).toBe(3);
    expect(Number((await local.store.load(hashSessionId(id)))!.data)).toBe(21);
  });

  it('stops when the Lambda has no time left for another attempt: SessionConflictError, and a warning', async () => {
    let left = 60_000;
    /** A lost race answered as the Lambda's time runs out (its remaining time is now the 250 ms reserve). */
    class LateConflicts extends MemorySessionStore {
      override async save(...args: Parameters<MemorySessionStore['save']>) {
        try {
          return await super.save(...args);
        } catch (error) {
          if (error instanceof SessionConflictError) left = 250;
          throw error;
        }
      }
    }
    const store = new LateConflicts();
    const warnings: unknown[][] = [];
    const logger: SessionLogger = {
      debug() {},
      info() {},
      warn: (...args: unknown[]) => void warnings.push(args),
    };
    configureSessions({ store, logger });
    const id = (await zero({})).headers['session-id']!;
    let runs = 0;
    const raced = withSession(
      async (_event: unknown, _context: unknown) => {
        runs++;
        await rivalWrites(store, id);
        setSessionData(getSessionData<number>()! + 1);
        return { headers: {} as Record<string, string> };
      },
      { update: true, onConflict: 'retry' },
    );

    const error = await raced(
      { headers: { 'session-id': id } },
      fakeContext({ getRemainingTimeInMillis: () => left }),
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SessionConflictError);
    expect(runs).toBe(1);
    expect(warnings.at(-1)).toEqual([
      'lambda-sessions: conflict retries exhausted',
      expect.objectContaining({ attempt: 0, reason: 'no Lambda time left' }),
    ]);
  });
});
