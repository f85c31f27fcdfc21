// The engine's rules (spec/engine-rules) as unit tests, on MemorySessionStore. engine.dynalite.spec.ts runs
// the same rules on DynamoDB.
import { getSessionData, hashSessionId, setSessionData, withSession } from '../src';
import { describeEngineRules } from './engine-rules';
import { memoryEngineStore } from './support/engine-store';

describeEngineRules('MemorySessionStore', memoryEngineStore);

describe('a retry after a race lost on MemorySessionStore, which names the winner', () => {
  it('reads nothing again when the winner deleted the session', async () => {
    const local = memoryEngineStore();
    local.configure();
    const noop = withSession(async (_event: unknown) => ({ headers: {} as Record<string, string> }));
    const id = (await noop({})).headers['session-id']!;
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
