import { SessionConflictError } from '../errors';
import { processState } from '../process-state';
import { sessionRef } from '../session-id';

/**
 * One stored session, as a store keeps it. The engine hands stores the hashed id only: no store ever sees a
 * raw session id.
 */
export interface StoredSession {
  /** base64url SHA-256 of the session id: the partition key. */
  readonly key: string;
  /** The session data, serialised as JSON text (class-transformer's `instanceToPlain`, then `JSON.stringify`). */
  readonly data: string;
  /** When the session dies, in epoch seconds (DynamoDB's TTL unit); `undefined` when it never does. */
  readonly expiresAt: number | undefined;
  /** When the session was created, epoch milliseconds. */
  readonly createdAt: number;
  /** When the session was last written or its expiry last slid, epoch milliseconds. */
  readonly updatedAt: number;
  /** 1 on creation, one more on each write of the data; the condition of every write. */
  readonly version: number;
  /** The schema version of `data` (the `version` option when it was written); absent means 1. */
  readonly schemaVersion?: number;
}

/** Per-call options the engine passes to a store. */
export interface StoreCallOptions {
  /**
   * Aborted when the call's time budget is spent (`storeTimeoutMs`, or the Lambda's remaining time). The
   * engine stops waiting then whatever the store does; the signal lets a store cancel work it no longer needs.
   */
  readonly signal?: AbortSignal;
}

/**
 * Where sessions live. Implement it to keep sessions somewhere else; the engine never imports the AWS SDK,
 * only this interface.
 *
 * Every write is conditional, so two invocations that raced on one session cannot silently overwrite each
 * other: a store that cannot honour a condition throws {@link SessionConflictError}.
 */
export interface SessionStore {
  /** The session stored under `key`, or `undefined`. Expiry is the engine's business, not the store's. */
  load(key: string, options?: StoreCallOptions): Promise<StoredSession | undefined>;
  /**
   * Writes the whole session. With `expectedVersion` undefined it creates, and fails if `key` exists; otherwise
   * it replaces only an item whose `version` is `expectedVersion`. Either failure is a `SessionConflictError`.
   */
  save(
    session: StoredSession,
    expectedVersion: number | undefined,
    options?: StoreCallOptions,
  ): Promise<void>;
  /**
   * Slides a session's expiry without touching its data or version. Returns `false`, without failing, when the
   * item is gone or its version is no longer `expectedVersion` (a concurrent write has slid it already).
   */
  touch(
    key: string,
    expiresAt: number | undefined,
    updatedAt: number,
    expectedVersion: number,
    options?: StoreCallOptions,
  ): Promise<boolean>;
  /** Deletes the session; deleting an absent one is not an error. */
  delete(key: string, options?: StoreCallOptions): Promise<void>;
}

/**
 * The item that won a race, when the store learnt it from the failed write itself (DynamoDB's
 * `ReturnValuesOnConditionCheckFailure`): a retry then starts from it without another read. Kept beside the
 * error, not on it, so that logging the error never logs session data. One map per process: a store from one
 * build may serve an engine from the other.
 */
const winners = processState('conflict-winners.v1', () => new WeakMap<object, StoredSession | null>());

/** Records what a conflict error's write lost to; `null` when the item is gone. */
export function recordWinner(error: object, current: StoredSession | null): void {
  winners.set(error, current);
}

/** What a conflict error's write lost to, if the store knew; `undefined` when it must be read again. */
export function winnerOf(error: object): StoredSession | null | undefined {
  return winners.get(error);
}

/**
 * The write condition, for stores that check it themselves (memory, file): create only where nothing is,
 * replace only `expectedVersion`. Throws `SessionConflictError`, with what won, when it does not hold.
 */
export function checkWriteCondition(
  current: StoredSession | undefined,
  session: StoredSession,
  expectedVersion: number | undefined,
): void {
  const holds = expectedVersion === undefined ? current === undefined : current?.version === expectedVersion;
  if (holds) return;
  const conflict = new SessionConflictError(sessionRef(session.key));
  recordWinner(conflict, current ? { ...current } : null);
  throw conflict;
}
