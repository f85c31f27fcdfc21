/**
 * The contract between the engine and a store. Every time in it is epoch milliseconds; a store that needs
 * another unit (DynamoDB's TTL is in seconds) converts at its edge.
 */
import { SessionConfigurationError, SessionConflictError } from '../errors';
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
  /** When the session dies, epoch milliseconds; `undefined` when it never does. */
  readonly expiresAt: number | undefined;
  /**
   * When the session was created, epoch milliseconds; for a session in a log-in chain (see `chain`), when the
   * chain started: the absolute timeout counts from it, whatever `regenerate()` did since.
   */
  readonly createdAt: number;
  /** When the session was last written or its expiry last slid, epoch milliseconds. */
  readonly updatedAt: number;
  /** 1 on creation, one more on each write of the data; the condition of every write. */
  readonly version: number;
  /** The schema version of `data` (the `version` option when it was written); absent means 1. */
  readonly schemaVersion?: number;
  /**
   * The fingerprint of the validation rules `data` passed when it was written (the session class's
   * class-validator and class-transformer rules and the `validation` options): a load under the same rules
   * need not validate again (`validateOnLoad`). A store keeps it as it is; one that drops it costs a validation
   * on every load, nothing else. Absent when the write did not validate, and on items earlier versions wrote.
   */
  readonly validatedRules?: string;
  /**
   * The random tokens of the last writes of this item, newest first (the last four): what
   * makes a write idempotent. A write whose answer was lost and that the SDK sends again finds its own token
   * newest and applies again, identically; one that was applied and then built upon finds its token among the
   * older ones and is not applied again. Absent on items written before tokens existed.
   */
  readonly writeTokens?: readonly string[];
  /**
   * Set on a session that `regenerate()` wrote (a log-in chain): a random salt, fresh for each new id. Its
   * presence says the session's `createdAt` is its chain's start, which later ids carry on. Absent on anonymous
   * sessions and on items earlier versions wrote.
   */
  readonly chain?: string;
  /**
   * The owner key (an HMAC of the owner under the server secret, never the owner itself) of a session that
   * `regenerate({ owner })` bound to an owner: what {@link OwnerIndex.list} finds it by. Absent on sessions that
   * belong to nobody.
   */
  readonly owner?: string;
  /**
   * The owner's revocation epoch when the session was bound to the owner: the session is alive only while the
   * owner's epoch ({@link OwnerIndex.loadOwned}) is not above it. Set with `owner`.
   */
  readonly ownerEpoch?: number;
  /** The device label the app gave at log-in (`regenerate({ owner, label })`), shown by `listSessions()`. */
  readonly label?: string;
}

/**
 * What a store keeps per owner, for sessions that belong to one (`regenerate({ owner })`): the owner's
 * revocation epoch, and an index of the owner's sessions. A store that implements it as
 * {@link SessionStore.owners} supports `listSessions()`, `revokeSession()` and `revokeAllSessions()`; the
 * conformance suite of `lambda-sessions/testing` checks it.
 *
 * An owner's epoch starts at 0 and only grows; `revokeAllSessions()` raises it by one, and every session bound
 * to the owner under a lower epoch is dead from then on. A store must never lose an epoch while sessions bound
 * under it may live (the DynamoDB store's epoch items have no TTL): a lost epoch would bring them back.
 */
export interface OwnerIndex {
  /**
   * The session under `key` and the epoch of the owner `ownerKey`, read together (one round trip for a remote
   * store) and strongly consistent, so that a revocation is seen by the very next request.
   */
  loadOwned(key: string, ownerKey: string, options?: StoreCallOptions): Promise<OwnedLoad>;
  /** The owner's epoch, strongly consistent; 0 for an owner never revoked. */
  epoch(ownerKey: string, options?: StoreCallOptions): Promise<number>;
  /** Raises the owner's epoch by one, atomically, and returns the new epoch. */
  revokeAll(ownerKey: string, options?: StoreCallOptions): Promise<number>;
  /**
   * The sessions bound to the owner, expired and revoked ones included (the caller filters them), without their
   * data. May lag a write by a moment (the DynamoDB store reads a global secondary index).
   */
  list(ownerKey: string, options?: StoreCallOptions): Promise<readonly OwnedSessionSummary[]>;
}

/** What {@link OwnerIndex.loadOwned} read. */
export interface OwnedLoad {
  /** The session stored under the key, or `undefined`. */
  readonly session: StoredSession | undefined;
  /** The owner's epoch: 0 for an owner never revoked. */
  readonly epoch: number;
}

/** A session as {@link OwnerIndex.list} gives it: what `listSessions()` shows, and what it needs to filter. */
export type OwnedSessionSummary = Pick<
  StoredSession,
  'key' | 'createdAt' | 'updatedAt' | 'expiresAt' | 'ownerEpoch' | 'label'
>;

/**
 * The store's owner index, or the error an app that uses owners on a store without one gets, before anything
 * is written or read. `where` names the call, for the message.
 */
export function ownerIndexOf(store: SessionStore, where: string): OwnerIndex {
  if (store.owners) return store.owners;
  throw new SessionConfigurationError(
    `${where}: the store (${store.constructor.name}) keeps no owners (sessions that belong to a user): use ` +
      'DynamoDBSessionStore, MemorySessionStore or FileSessionStore, or implement SessionStore.owners.',
  );
}

/**
 * Whether a session bound to an owner is revoked: bound under an epoch below the owner's. A session whose store
 * kept no epoch counts as bound under 0, as the DynamoDB store writes it.
 */
export function isRevoked(session: Pick<StoredSession, 'ownerEpoch'>, epoch: number): boolean {
  return (session.ownerEpoch ?? 0) < epoch;
}

/** What {@link OwnerIndex.list} gives of a stored session. */
export function ownedSummary(session: StoredSession): OwnedSessionSummary {
  const { key, createdAt, updatedAt, expiresAt, ownerEpoch, label } = session;
  return { key, createdAt, updatedAt, expiresAt, ownerEpoch, label };
}

/** How many write tokens an item keeps: a write whose answer was lost is recognised while this many later ones. */
export const WRITE_TOKENS_KEPT = 4;

/** Per-call options the engine passes to a store. */
export interface StoreCallOptions {
  /**
   * Aborted when the call's time budget is spent (`storeTimeoutMs`, or the Lambda's remaining time). The
   * engine stops waiting then whatever the store does; the signal lets a store cancel work it no longer needs.
   */
  readonly signal?: AbortSignal;
  /**
   * The most session data, in UTF-8 bytes of JSON, the engine will read (its `maxSessionBytes`). A store that
   * decodes the data it holds (decompresses it, as the DynamoDB store does above `compressAbove`) stops there
   * and throws `SessionCorruptError`, rather than build a text the engine refuses. Other stores may ignore it:
   * the engine checks the text's length before it parses it.
   */
  readonly maxDataBytes?: number;
}

/** What {@link SessionStore.touch} changes, and on what condition. */
export interface TouchChange {
  /** The new expiry, epoch milliseconds; `undefined` removes it (the session no longer expires). */
  readonly expiresAt: number | undefined;
  /** The time of this use, epoch milliseconds. */
  readonly updatedAt: number;
  /** The version that was read: the touch applies only while it is still the stored one. */
  readonly expectedVersion: number;
}

/** What {@link SessionStore.delete} requires of the item it deletes. */
export interface DeleteCondition {
  /** The version that was read: the delete applies only while it is still the stored one. */
  readonly expectedVersion: number;
}

/**
 * The delete condition, for stores that check it themselves: `'delete'` when the item may go, `'absent'` when
 * there is none; a `SessionConflictError` with what won when another version is stored.
 */
export function checkDeleteCondition(
  current: StoredSession | undefined,
  key: string,
  condition: DeleteCondition | undefined,
): 'delete' | 'absent' {
  if (current === undefined) return 'absent';
  if (condition === undefined || current.version === condition.expectedVersion) return 'delete';
  throw new SessionConflictError(sessionRef(key), { key, current: { ...current } });
}

/**
 * Where sessions live. Implement it to keep sessions somewhere else (run the conformance suite of
 * `lambda-sessions/testing` against it); the engine knows stores only by this interface.
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
   * Idempotent by `session.writeTokens[0]`: see {@link checkWriteCondition}, which states the rule exactly.
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
  touch(key: string, change: TouchChange, options?: StoreCallOptions): Promise<boolean>;
  /**
   * Deletes the session. With `condition.expectedVersion`, only the item of that version: another version is a
   * `SessionConflictError` (carrying what won, as `save` does), and nothing is deleted. Returns `'absent'` when
   * there was nothing to delete, which is not an error.
   */
  delete(key: string, condition?: DeleteCondition, options?: StoreCallOptions): Promise<'deleted' | 'absent'>;
  /**
   * Sessions that belong to a user: the owners' epochs and index. Optional: a store without it serves every
   * session but those, and an app that binds a session to an owner gets a `SessionConfigurationError` naming it.
   */
  readonly owners?: OwnerIndex;
}

/**
 * The write condition of {@link SessionStore.save}, for stores that check it themselves (memory, file, yours):
 * create only where nothing is, replace only `expectedVersion`, or apply again a write that is the newest on
 * the item already (its own retry). Returns `'write'` when the store writes, `'applied'` when this write was
 * applied before and built upon (write nothing, and report success). Throws `SessionConflictError`, carrying
 * what won (so that a retry needs no second read), when another write won.
 * @param current what the store holds under the session's key now
 */
export function checkWriteCondition(
  current: StoredSession | undefined,
  session: StoredSession,
  expectedVersion: number | undefined,
): 'write' | 'applied' {
  const token = session.writeTokens?.[0];
  const holds = expectedVersion === undefined ? current === undefined : current?.version === expectedVersion;
  if (holds || (token !== undefined && current?.writeTokens?.[0] === token)) return 'write';
  if (token !== undefined && current?.writeTokens?.includes(token)) return 'applied';
  throw new SessionConflictError(sessionRef(session.key), {
    key: session.key,
    current: current ? { ...current } : null,
  });
}
