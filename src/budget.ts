/** How long the engine waits for the store, and between retries of a lost race: within the Lambda's time. */
import { SessionStoreUnavailableError, SessionWriteUnknownError } from './errors';
import { type StoreCallOptions } from './stores/session-store';

/** Time kept back from the Lambda's remaining time, to return an error before the runtime kills the invocation. */
const LAMBDA_RESERVE_MS = 250;

/**
 * Runs one store call with an abort signal that fires when the call's time budget is spent. `access` says what
 * a call given up on may have done: a `read` nothing; a `write` (the default: any call not known to read) may
 * have been applied, and fails with `SessionWriteUnknownError`.
 */
export type Budget = <T>(
  call: (options: StoreCallOptions) => Promise<T>,
  access?: 'read' | 'write',
) => Promise<T>;

/**
 * Where the call options of a budget keep the state of the call's budget ({@link CallWatch}). A registered
 * symbol: the engine of one build may call a store of the package's other build. Version 2: version 1 held only
 * the cancels, and a store of that version finds none here and listens on the signal instead.
 */
const WATCH = Symbol.for('lambda-sessions.budget-spent.v2');

/** One call's budget, as its options carry it: whether it is spent, why, and what to run when it is. */
interface CallWatch {
  /** Why the budget was spent (the error the call fails with), once it is; `undefined` until then. */
  reason: Error | undefined;
  /** What stores registered with {@link onBudgetSpent}; dropped when the call settles. */
  cancels: (() => void)[] | undefined;
  /** The controller of `options.signal`, once a store read it. */
  controller: AbortController | undefined;
}

/** Call options as the budget's or anyone's. */
interface BudgetedCallOptions extends StoreCallOptions {
  readonly [WATCH]?: CallWatch;
}

/**
 * `signal` of the budget's call options: an own, enumerable accessor (a store that copies its options with a
 * spread copies the signal), made when first read, aborted at once when the budget is spent already.
 */
const LAZY_SIGNAL: PropertyDescriptor = {
  enumerable: true,
  get(this: { readonly [WATCH]: CallWatch }): AbortSignal {
    const watch = this[WATCH];
    if (!watch.controller) {
      watch.controller = new AbortController();
      if (watch.reason) watch.controller.abort(watch.reason);
    }
    return watch.controller.signal;
  },
};

/**
 * The call options a budget makes. A class, not an object literal: a literal with a symbol key beside a spread
 * (or with a getter) is built as a slow dictionary object, 1 to 3 µs per call in Node 20.
 */
class CallOptions {
  declare readonly signal: AbortSignal;
  readonly [WATCH]: CallWatch;

  constructor(base: Omit<StoreCallOptions, 'signal'>, watch: CallWatch) {
    Object.assign(this, base);
    this[WATCH] = watch;
    Object.defineProperty(this, 'signal', LAZY_SIGNAL);
  }
}

/**
 * Runs `cancel` when the time budget of the call that received `options` is spent, for a store of this package
 * that cancels its request: without a listener on `options.signal` when the options come from the engine's
 * budget (a listener on an AbortSignal costs about 8 µs in Node 20, per call), with one otherwise. Returns what
 * unregisters it, for when the call has settled.
 */
export function onBudgetSpent(options: BudgetedCallOptions | undefined, cancel: () => void): () => void {
  const watch = options?.[WATCH];
  if (watch) {
    watch.cancels?.push(cancel);
    return noop; // the budget drops its list when the call settles
  }
  const signal = options?.signal;
  if (!signal) return noop;
  signal.addEventListener('abort', cancel, { once: true });
  return () => signal.removeEventListener('abort', cancel);
}

/**
 * How a store of this package sees the budget of a call without reading `options.signal` (which the engine's
 * budget makes only when a store reads it, see {@link callBudget}): `undefined` for a call without a budget
 * or a signal (nothing will cancel it); otherwise whether it is spent already, and why.
 */
export function budgetOf(
  options: BudgetedCallOptions | undefined,
): { readonly spent: boolean; readonly reason: unknown } | undefined {
  const watch = options?.[WATCH];
  if (watch) return { spent: watch.reason !== undefined, reason: watch.reason };
  const signal = options?.signal;
  return signal && { spent: signal.aborted, reason: signal.reason as unknown };
}

const noop = () => undefined;

/**
 * Each store call's time budget: `storeTimeoutMs`, cut to the Lambda's remaining time less a reserve when the
 * invocation has a Lambda context. The engine enforces it for every store; the signal only lets a store cancel
 * its work. Every call's options carry `base` too. The timer is cleared as soon as the call settles:
 * `AbortSignal.timeout()` would keep one alive for the whole budget per call (8 µs each, and thousands pending
 * under load). The signal is made only when a store reads `options.signal` (the memory and DynamoDB stores never
 * do): an AbortSignal costs about 4 µs to make in Node 20, the largest part of a budget that makes one per call.
 */
export function callBudget(
  storeTimeoutMs: number,
  lambdaContext: unknown,
  base: Omit<StoreCallOptions, 'signal'> = {},
): Budget {
  const left = lambdaTimeLeft(lambdaContext);
  return async (call, access = 'write') => {
    const ms = Math.min(storeTimeoutMs, left());
    if (!(ms > 0)) {
      // Sent now, a write could not be answered in time, and its outcome would be unknown: it is not sent.
      throw new SessionStoreUnavailableError(
        `The session store was not called: the Lambda time left is within the ${LAMBDA_RESERVE_MS} ms kept to ` +
          'return an error, so nothing was sent and nothing written. Give the function a longer timeout, or ' +
          'let the handler return sooner.',
      );
    }
    const watch: CallWatch = { reason: undefined, cancels: [], controller: undefined };
    const options = new CallOptions(base, watch);
    let timer: NodeJS.Timeout | undefined;
    // A plain promise, not a listener on the signal: EventTarget listeners cost more than the rest of the call.
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = spentError(ms, access);
        watch.reason = error;
        reject(error);
        watch.controller?.abort(error);
        const cancels = watch.cancels!; // set until the call settles, when this timer is cleared
        watch.cancels = undefined;
        for (const cancel of cancels) cancel();
      }, ms);
    });
    const pending = call(options);
    pending.catch(() => undefined); // it may still fail after the budget is spent: that is already reported
    try {
      return await Promise.race([pending, expired]);
    } finally {
      clearTimeout(timer);
      watch.cancels = undefined; // settled: a cancel registered now has nothing left to cancel
    }
  };
}

/** What a call whose budget of `ms` was spent fails with: a read did nothing; a write may have been applied. */
function spentError(ms: number, access: 'read' | 'write'): Error {
  const budget = `${Math.round(ms)} ms: storeTimeoutMs, or the Lambda time left less ${LAMBDA_RESERVE_MS} ms`;
  const cause = { cause: new DOMException('The store call timed out', 'TimeoutError') };
  return access === 'read'
    ? new SessionStoreUnavailableError(
        `The session store did not answer in its time budget (${budget}); the call was given up and ` +
          'nothing was written. Check the network path to the store and its latency.',
        cause,
      )
    : new SessionWriteUnknownError(
        `The session store did not confirm a write in its time budget (${budget}): the write was ` +
          'given up and may have been applied, or not. Read the session again before repeating a ' +
          'change that must not happen twice; check the network path to the store and its latency.',
        cause,
      );
}

/**
 * The Lambda's remaining time less the reserve, in ms, as a function read when needed; `Infinity` without a
 * Lambda context (or one that tells no usable remaining time).
 */
function lambdaTimeLeft(lambdaContext: unknown): () => number {
  const remaining = (lambdaContext as { getRemainingTimeInMillis?: unknown } | undefined)
    ?.getRemainingTimeInMillis;
  if (typeof remaining !== 'function') return () => Infinity;
  return () => {
    const left = Number(remaining.call(lambdaContext));
    return Number.isFinite(left) ? left - LAMBDA_RESERVE_MS : Infinity;
  };
}

/** The pauses before the retries of a lost race: the least window (before the second retry), and the most. */
const CONFLICT_WINDOW_MS = { least: 10, most: 2_000 } as const;

/**
 * How long to wait before retry number `retry` (0: the first) of a lost race, in ms; `undefined` when the
 * Lambda has no time left for another attempt as long as the last one (`lastAttemptMs`), less its reserve.
 *
 * The first retry runs at once, on the winner's data: what the store holds at this moment. Later ones wait a
 * random time (full jitter) within a window of twice the last attempt's length (10 ms at least), doubled at
 * each retry up to 2 s: racers collide when their attempts overlap, so they are spread over a multiple of an
 * attempt's length, and a slow store gets wider windows. They read the session again after the pause, since
 * the winner's data may be stale by then. No pause lasts into the time that the next attempt needs. Measured
 * with `npm run bench:retry` (BENCHMARKS.md).
 */
export function conflictPause(
  retry: number,
  lastAttemptMs: number,
  lambdaContext: unknown,
): number | undefined {
  const spare = lambdaTimeLeft(lambdaContext)() - lastAttemptMs;
  if (!(spare > 0)) return undefined;
  if (retry === 0) return 0;
  const window = Math.max(CONFLICT_WINDOW_MS.least, 2 * lastAttemptMs) * 2 ** (retry - 1);
  return Math.min(Math.random() * Math.min(CONFLICT_WINDOW_MS.most, window), spare);
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
