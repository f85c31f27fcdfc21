// The plumbing as it was before #13 part 3 (commit 570aa98), kept as the baseline of bench/plumbing.ts: the
// per-call budget that made an AbortController (and its AbortSignal) for every call, the DynamoDB store's check of
// that signal, hashSessionId through createHash(), and the response copy that copied each header object again for
// every header it added, after deleting the id header's spellings from it.
import { createHash } from 'node:crypto';
import { SessionStoreUnavailableError, SessionWriteUnknownError } from '../src/errors';
import { type Budget } from '../src/budget';
import { type StoreCallOptions } from '../src/stores/session-store';
import { RequestAbort } from '../src/stores/dynamodb-request';
import { carriesSetCookie, placeSetCookie, type ResponseHeaders } from '../src/transport/cookies';
import { type EventKind, isRecord } from '../src/transport/event-kind';
import { headerKeys, removeHeader } from '../src/transport/headers';
import { type PreparedResponse, type ResponseAdditions } from '../src/transport/response';

const SPENT = Symbol.for('lambda-sessions.budget-spent.v1');
interface BudgetedCallOptions extends StoreCallOptions {
  readonly [SPENT]?: (() => void)[];
}

export function onBudgetSpentBefore(
  options: BudgetedCallOptions | undefined,
  cancel: () => void,
): () => void {
  const hooks = options?.[SPENT];
  if (hooks) {
    hooks.push(cancel);
    return noop;
  }
  const signal = options?.signal;
  if (!signal) return noop;
  signal.addEventListener('abort', cancel, { once: true });
  return () => signal.removeEventListener('abort', cancel);
}
const noop = () => undefined;

export function callBudgetBefore(
  storeTimeoutMs: number,
  base: Omit<StoreCallOptions, 'signal'> = {},
): Budget {
  const left = () => Infinity;
  return async (call, access = 'write') => {
    const ms = Math.min(storeTimeoutMs, left());
    if (!(ms > 0)) throw new SessionStoreUnavailableError('not called');
    const controller = new AbortController();
    const spent: (() => void)[] = [];
    const options: BudgetedCallOptions = { ...base, signal: controller.signal, [SPENT]: spent };
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const budget = `${Math.round(ms)} ms: storeTimeoutMs, or the Lambda time left less 250 ms`;
        const cause = { cause: new DOMException('The store call timed out', 'TimeoutError') };
        const error =
          access === 'read'
            ? new SessionStoreUnavailableError(`did not answer in its time budget (${budget})`, cause)
            : new SessionWriteUnknownError(`did not confirm a write in its time budget (${budget})`, cause);
        reject(error);
        controller.abort(error);
        for (const cancel of spent) cancel();
      }, ms);
    });
    const pending = call(options);
    pending.catch(() => undefined);
    try {
      return await Promise.race([pending, expired]);
    } finally {
      clearTimeout(timer);
    }
  };
}

/** What the DynamoDB store did with its call options before the request (`DynamoDBSessionStore.call`). */
export function storeCallBefore(options: StoreCallOptions | undefined): RequestAbort | undefined {
  const signal = options?.signal;
  if (signal?.aborted) throw new Error('cancelled');
  const abort = signal && new RequestAbort();
  const release = abort ? onBudgetSpentBefore(options, () => abort.abort()) : undefined;
  release?.();
  return abort;
}

export function hashSessionIdBefore(id: string): string {
  const seeded = /^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/.test(id);
  return createHash('sha256')
    .update(seeded ? id.slice(0, 44) : id)
    .digest('base64url');
}

export function finishResponseBefore(prepared: PreparedResponse, additions: ResponseAdditions): unknown {
  const { original, kind, shaped, wasText } = prepared;
  if (!shaped || (!additions.header && !additions.setCookie)) return original;
  const out = decorate(shaped, kind, additions);
  return wasText ? JSON.stringify(out) : out;
}

function decorate(
  response: Record<string, unknown>,
  kind: EventKind,
  { header, setCookie }: ResponseAdditions,
): Record<string, unknown> {
  const out = { ...response };
  const target: ResponseHeaders = {
    headers: isRecord(out.headers) ? { ...out.headers } : undefined,
    multiValueHeaders: isRecord(out.multiValueHeaders) ? { ...out.multiValueHeaders } : undefined,
  };
  const useMulti =
    kind === 'alb-multi-value' || (target.multiValueHeaders !== undefined && target.headers === undefined);
  if (header) {
    if (target.headers) removeHeader(target.headers, header.name);
    if (target.multiValueHeaders) removeHeader(target.multiValueHeaders, header.name);
    if (useMulti) target.multiValueHeaders = { ...target.multiValueHeaders, [header.name]: [header.value] };
    else target.headers = { ...target.headers, [header.name]: header.value };
  }
  if (setCookie) placeSetCookie(out, target, kind, setCookie);
  if (header || (setCookie && carriesSetCookie(kind))) noStore(target, useMulti);
  if (target.headers) out.headers = target.headers;
  if (target.multiValueHeaders) out.multiValueHeaders = target.multiValueHeaders;
  return out;
}

function noStore(target: ResponseHeaders, useMulti: boolean): void {
  let own = false;
  for (const headers of [target.headers, target.multiValueHeaders]) {
    if (!headers) continue;
    for (const key of headerKeys(headers, 'Cache-Control')) {
      own = true;
      void key;
    }
  }
  if (own) return;
  if (useMulti) target.multiValueHeaders = { ...target.multiValueHeaders, 'Cache-Control': ['no-store'] };
  else target.headers = { ...target.headers, 'Cache-Control': 'no-store' };
}
