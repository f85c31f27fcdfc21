// Each store call's time budget: storeTimeoutMs, cut to the Lambda's remaining time less a reserve. On jest's
// fake clock: a budget is checked to the millisecond, and nothing waits.
import { SessionStoreUnavailableError } from '../src';
import { callBudget } from '../src/budget';
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

  it('fails with SessionStoreUnavailableError once storeTimeoutMs is spent, aborting the call with it', async () => {
    const { held, call } = heldCall();
    const result = callBudget(1000, undefined)(call);

    expect(await after(999, result)).toBe('pending');
    const error = await after(1, result);

    expect(error).toBeInstanceOf(SessionStoreUnavailableError);
    expect((error as Error).message).toMatch(/did not finish in its time budget \(1000 ms/);
    expect(held.signal?.aborted).toBe(true);
    expect(held.signal?.reason).toBe(error);
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
