// Each store call's time budget: storeTimeoutMs, cut to the Lambda's remaining time less a reserve. On jest's
// fake clock: a budget is checked to the millisecond, and nothing waits.
import { SessionStoreUnavailableError, SessionWriteUnknownError } from '../src';
import { budgetOf, callBudget, conflictPause, onBudgetSpent } from '../src/budget';
import { type StoreCallOptions } from '../src/stores/session-store';
import { fakeContext } from './support/lambda';

/** A store call that settles only when told to, keeping the signal it was given. */
function heldCall() {
  const held = { signal: undefined as AbortSignal | undefined, settle: (_value: string) => {} };
  const call = (options: StoreCallOptions) => {
    held.signal = options.signal;
    return new Promise<string>((resolve) => (held.settle = resolve));
  };
  return { held, call };
}

/** The outcome of `promise` once the fake clock has run `ms`, or 'pending'. */
async function after(ms: number, promise: Promise<unknown>): Promise<unknown> {
  let outcome: unknown = 'pending';
  promise.then(
    (value) => (outcome = value),
    (error: unknown) => (outcome = error),
  );
  await jest.advanceTimersByTimeAsync(ms);
  return outcome;
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('callBudget', () => {
  it('returns what the call returns, and leaves no timer behind', async () => {
    const { held, call } = heldCall();
    const result = callBudget(3000, undefined)(call);

    held.settle('loaded');

    await expect(result).resolves.toBe('loaded');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('registers nothing for call options without a budget or a signal: the release does nothing', () => {
    const cancel = jest.fn();
    onBudgetSpent({}, cancel)();
    onBudgetSpent(undefined, cancel)();
    expect(cancel).not.toHaveBeenCalled();
  });

  it("gives every call the options it was made with (the engine's maxDataBytes) beside its signal", async () => {
    const seen: StoreCallOptions[] = [];
    const budget = callBudget(3000, undefined, { maxDataBytes: 1234 });
    await budget(async (options) => seen.push(options));
    await budget(async (options) => seen.push(options), 'read');

    expect(seen.map((o) => o.maxDataBytes)).toEqual([1234, 1234]);
    expect(seen.every((o) => o.signal instanceof AbortSignal)).toBe(true);
  });

  it('fails a read with SessionStoreUnavailableError once storeTimeoutMs is spent, aborting the call with it', async () => {
    const { held, call } = heldCall();
    const result = callBudget(1000, undefined)(call, 'read');

    expect(await after(999, result)).toBe('pending');
    const error = await after(1, result);

    expect(error).toBeInstanceOf(SessionStoreUnavailableError);
    expect(error).not.toBeInstanceOf(SessionWriteUnknownError);
    expect((error as Error).message).toMatch(
      /did not answer in its time budget \(1000 ms.*nothing was written/,
    );
    expect(held.signal?.aborted).toBe(true);
    expect(held.signal?.reason).toBe(error);
  });

  it('fails a write (any call not said to read) with SessionWriteUnknownError: it may have been applied', async () => {
    const { held, call } = heldCall();
    const error = await after(1000, callBudget(1000, undefined)(call));

    expect(error).toBeInstanceOf(SessionWriteUnknownError);
    expect((error as Error).message).toMatch(/did not confirm a write .* may have been applied/);
    expect(held.signal?.reason).toBe(error);
  });

  it('does not call the store when the Lambda time left is within the reserve', async () => {
    const { held, call } = heldCall();
    const context = fakeContext({ getRemainingTimeInMillis: () => 250 });

    const error = await callBudget(3000, context)(call).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SessionStoreUnavailableError);
    expect(error).not.toBeInstanceOf(SessionWriteUnknownError);
    expect((error as Error).message).toMatch(/not called.*nothing was sent/);
    expect(held.signal).toBeUndefined(); // never called
    expect(jest.getTimerCount()).toBe(0);
  });

  it("runs a store's cancel when the budget is spent, without a listener on the signal, and not after it settled", async () => {
    const cancelled: string[] = [];
    const budget = callBudget(1000, undefined);
    const listen = jest.spyOn(AbortSignal.prototype, 'addEventListener');
    const stalled = budget((o) => {
      onBudgetSpent(o, () => cancelled.push('stalled'));
      return new Promise<never>(() => undefined);
    });
    const answered = budget(async (o) => {
      onBudgetSpent(o, () => cancelled.push('answered'));
      return 'saved';
    });

    await expect(answered).resolves.toBe('saved');
    expect(await after(1000, stalled)).toBeInstanceOf(SessionWriteUnknownError);
    expect(cancelled).toEqual(['stalled']);
    expect(listen).not.toHaveBeenCalled();
    listen.mockRestore();
  });

  it('runs a cancel on a plain signal, for a store called outside the engine, until it is released', () => {
    const controller = new AbortController();
    const cancelled: string[] = [];
    const release = onBudgetSpent({ signal: controller.signal }, () => cancelled.push('first'));
    release();
    onBudgetSpent({ signal: controller.signal }, () => cancelled.push('second'));

    controller.abort();

    expect(cancelled).toEqual(['second']);
  });

  it('registers nothing for a store called without options, or without a signal', () => {
    const cancel = jest.fn();

    onBudgetSpent(undefined, cancel)();
    onBudgetSpent({}, cancel)();

    expect(cancel).not.toHaveBeenCalled();
  });

  it('makes no AbortSignal for a call that does not read options.signal', async () => {
    let made = 0;
    class Counted extends AbortController {
      constructor() {
        super();
        made++;
      }
    }
    const platform = globalThis.AbortController;
    globalThis.AbortController = Counted;
    const budget = callBudget(3000, undefined);
    try {
      await budget(async (o) => budgetOf(o));
      expect(made).toBe(0);
      await budget(async (o) => o.signal);
      expect(made).toBe(1);
    } finally {
      globalThis.AbortController = platform;
    }
  });

  it('tells a store whether the budget is spent, and why, without reading the signal', async () => {
    const seen: StoreCallOptions[] = [];
    const stalled = callBudget(1000, undefined)((o) => {
      seen.push(o);
      return new Promise<never>(() => undefined);
    }, 'read');
    expect(budgetOf(seen[0])).toEqual({ spent: false, reason: undefined });

    const error = await after(1000, stalled);

    expect(budgetOf(seen[0])).toEqual({ spent: true, reason: error });
    // A store that reads the signal only now gets it aborted, with the same reason.
    expect(seen[0]!.signal?.aborted).toBe(true);
    expect(seen[0]!.signal?.reason).toBe(error);
  });

  it('tells the budget of a plain signal, for a store called outside the engine; none without one', () => {
    const controller = new AbortController();
    expect(budgetOf({ signal: controller.signal })).toEqual({ spent: false, reason: undefined });
    controller.abort('why');
    expect(budgetOf({ signal: controller.signal })).toEqual({ spent: true, reason: 'why' });
    expect(budgetOf({})).toBeUndefined();
    expect(budgetOf(undefined)).toBeUndefined();
  });

  it('gives the signal to a store that copies its options with a spread', async () => {
    const { held, call } = heldCall();
    const result = callBudget(1000, undefined, { maxDataBytes: 9 })((o) => call({ ...o }), 'read');

    const error = await after(1000, result);

    expect(held.signal?.reason).toBe(error);
  });

  it('never runs a cancel registered after the call settled', async () => {
    const cancel = jest.fn();
    let kept: StoreCallOptions | undefined;
    await callBudget(1000, undefined)(async (o) => (kept = o));

    onBudgetSpent(kept, cancel)();
    await jest.advanceTimersByTimeAsync(1000);

    expect(cancel).not.toHaveBeenCalled();
  });

  it("is cut to the Lambda's remaining time less 250 ms", async () => {
    const { call } = heldCall();
    const context = fakeContext({ getRemainingTimeInMillis: () => 1250 });
    const result = callBudget(3000, context)(call);

    expect(await after(999, result)).toBe('pending');
    expect(await after(1, result)).toBeInstanceOf(SessionStoreUnavailableError);
  });

  it('keeps storeTimeoutMs when the context tells no usable remaining time', async () => {
    const { call } = heldCall();
    const context = { getRemainingTimeInMillis: () => Number.NaN };
    const result = callBudget(3000, context)(call);

    expect(await after(2999, result)).toBe('pending');
    expect(await after(1, result)).toBeInstanceOf(SessionStoreUnavailableError);
  });
});

describe('conflictPause', () => {
  const lambdaWithLeft = (ms: number) => fakeContext({ getRemainingTimeInMillis: () => ms });
  afterEach(() => jest.restoreAllMocks());

  it('runs the first retry at once', () => {
    expect(conflictPause(0, 30, undefined)).toBe(0);
  });

  it('waits at random within a window of twice the last attempt (10 ms at least), doubled each retry up to 2 s', () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    const pauses = (lastAttemptMs: number, retries: number[]) =>
      retries.map((retry) => conflictPause(retry, lastAttemptMs, undefined));

    expect(pauses(2, [1, 2, 3, 4])).toEqual([5, 10, 20, 40]);
    expect(pauses(30, [1, 2, 3])).toEqual([30, 60, 120]);
    expect(pauses(2, [8, 9, 10_000])).toEqual([640, 1000, 1000]);
  });

  it('never pauses into the time the next attempt needs: the Lambda time left, less the reserve and the last attempt', () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.999);

    expect(conflictPause(10, 40, lambdaWithLeft(250 + 100))).toBe(60);
  });

  it('gives up when no time is left for another attempt as long as the last one', () => {
    expect(conflictPause(0, 40, lambdaWithLeft(250 + 40))).toBeUndefined();
    expect(conflictPause(3, 0, lambdaWithLeft(250))).toBeUndefined();
    expect(conflictPause(0, 39, lambdaWithLeft(250 + 40))).toBe(0);
  });

  it('has no time limit without a usable Lambda context', () => {
    expect(conflictPause(0, 3_600_000, { getRemainingTimeInMillis: () => Number.NaN })).toBe(0);
    expect(conflictPause(0, 3_600_000, {})).toBe(0);
  });
});
