// Concurrent requests on one session, and the store calls each kind of invocation costs.
import { IsInt, Min } from 'class-validator';
import {
  hashSessionId,
  lambdaHandler,
  Session,
  SessionConflictError,
  SessionData,
  type SessionOptions,
} from '../../src';
import { type EngineStore } from '../support/engine-store';
import { withFakeContext } from '../support/lambda';

class Counter {
  @IsInt() @Min(0) count = 0;
}

type Response = { statusCode: number; headers: Record<string, string>; body: string };
type Invoke = (event: unknown) => Promise<Response>;

/** Lets the other invocations interleave, as any await does. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
/** A handler's own work: 0 to 5 ms of waiting (on a service, say). */
const someWork = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 5));

function counter(options: SessionOptions, change = true, work: () => Promise<unknown> = nextTurn): Invoke {
  class Handler {
    @Session({ update: true, ...options })
    async handle(_e: unknown, @SessionData() c: Counter): Promise<Response> {
      if (change) c.count += 1;
      await work();
      return { statusCode: 200, headers: {}, body: String(c.count) };
    }
  }
  return withFakeContext(lambdaHandler(new Handler(), 'handle'));
}

const header = (id: string) => ({ headers: { 'session-id': id } });

export function describeConcurrencyRules(local: EngineStore): void {
  const storedCount = async (id: string) =>
    (JSON.parse((await local.store.load(hashSessionId(id)))!.data) as Counter).count;

  describe('50 concurrent increments on one session', () => {
    it("are all acknowledged and all stored with onConflict: 'retry' and the default retries, each handler working 0-5 ms", async () => {
      const id = (await counter({}, false)({})).headers['session-id']!;
      // The retry defaults; a store budget of 30 s, not 3: on two shared cores dynalite's queue of writes to one
      // key can pass 3 s (a SessionWriteUnknownError, which is not what this test is about).
      const increment = counter({ onConflict: 'retry', storeTimeoutMs: 30_000 }, true, someWork);
      const results = await Promise.allSettled(Array.from({ length: 50 }, () => increment(header(id))));
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      expect(await storedCount(id)).toBe(50);
      // 1-10 s on dynalite (the pauses between retries grow to 1 s), more on a busy machine; jest's default 5 s
      // is too tight, and a timed-out race would keep retrying into the next tests. moto takes its requests one
      // at a time (spec/support/moto.ts): slower still.
    }, 120_000);

    it("never overwrite silently with onConflict: 'throw': every lost race is a SessionConflictError", async () => {
      const id = (await counter({}, false)({})).headers['session-id']!;
      const increment = counter({});
      const results = await Promise.allSettled(Array.from({ length: 50 }, () => increment(header(id))));
      const won = results.filter((r) => r.status === 'fulfilled').length;
      const lost = results.filter((r) => r.status === 'rejected');
      expect(lost.every((r) => (r as PromiseRejectedResult).reason instanceof SessionConflictError)).toBe(
        true,
      );
      expect(won + lost.length).toBe(50);
      expect(lost.length).toBeGreaterThan(0);
      expect(await storedCount(id)).toBe(won);
      // 100 requests: well under a second on dynalite; moto takes them one at a time, 2 to over 5 s on that
      // busy machine.
    }, 60_000);
  });

  describe('store calls per invocation', () => {
    type Case = [label: string, handler: () => Invoke, event: (id: string) => unknown, expected: string[]];
    const cases: Case[] = [
      ['a new session: one write, no read', () => counter({}), () => ({}), ['save']],
      ['a changed session: one read, one write', () => counter({}), header, ['load', 'save']],
      ['an unchanged session between touches: one read', () => counter({}, false), header, ['load']],
      ['a read-only session between touches: one read', () => counter({ update: false }), header, ['load']],
      [
        'a read-only session once touchAfter passed: one read, one small update',
        () => counter({ update: false, touchAfter: 0 }),
        header,
        ['load', 'touch'],
      ],
      ['a malformed id: no read, a new session', () => counter({}), () => header('bad id'), ['save']],
    ];

    it.each(cases)('%s', async (_label, handler, event, expected) => {
      const id = (await counter({}, false)({})).headers['session-id']!;
      const invoke = handler();
      local.resetCalls();
      await invoke(event(id));
      expect(local.calls()).toEqual(expected);
    });
  });
}
