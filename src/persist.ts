/** The write path: what an invocation's outcome does to the store. */
import { randomBytes } from 'node:crypto';
import { type Budget } from './budget';
import {
  asShaped,
  type DataShape,
  encodeForWrite,
  isNewerSchema,
  rulesOfWrite,
  serialize,
} from './data-codec';
import {
  loggableValidationFailures,
  SessionConflictError,
  SessionNewerSchemaError,
  SessionResponseError,
  SessionValidationError,
} from './errors';
import { type LiveSession } from './current-session';
import { type OwnerBinding, type SessionLifecycle } from './lifecycle';
import { type ResolvedSessionOptions } from './options';
import { sessionRef } from './session-id';
import {
  ownerIndexOf,
  type SessionStore,
  type StoredSession,
  WRITE_TOKENS_KEPT,
} from './stores/session-store';
import { deadline } from './timeouts';
import { type Claim } from './transport/claim';

/**
 * DESIGN's three states of a session, as the engine decides them after the load:
 * - `existing`: the store holds a live item for the id the request claimed;
 * - `new-by-client`: the claimed id is kept although no live session has it (allowed with `acceptClientId`,
 *   or a stored session that failed validation under `onInvalidStored: 'reset'`); `replaces` is the version
 *   of an item still under that key (expired, or reset), which the new session overwrites; `carried` what a
 *   reset keeps of it (the id stays, so its chain and the chain's start stay too);
 * - `new-by-server`: a fresh id (no usable claim, or one the client may not choose).
 */
export type SessionState =
  | { readonly kind: 'existing'; readonly id: string; readonly key: string; readonly stored: StoredSession }
  | {
      readonly kind: 'new-by-client';
      readonly id: string;
      readonly key: string;
      readonly replaces: number | undefined;
      readonly carried?: Pick<StoredSession, 'createdAt' | 'chain' | 'owner' | 'ownerEpoch' | 'label'>;
    }
  | { readonly kind: 'new-by-server'; readonly id: string; readonly key: string };

/** One invocation, from the engine's side. */
export interface Invocation {
  readonly store: SessionStore;
  readonly options: ResolvedSessionOptions;
  readonly state: SessionState;
  readonly session: LiveSession;
  readonly lifecycle: SessionLifecycle;
  readonly claim: Claim | undefined;
  readonly event: unknown;
  /**
   * A new session's data as the handler got it, serialised, where "the handler set data" is asked (with
   * `saveUninitialized` off, or a logger); `undefined` otherwise. What that is measured against: a second
   * `new Type()` may differ (a default from `randomUUID()` or the clock).
   */
  readonly opened: string | undefined;
  /** Runs one store call within its time budget. */
  readonly budget: Budget;
}

/**
 * Applies the invocation's outcome to the store and returns when the session now dies (epoch ms):
 * - destroyed: the item is deleted, on the condition that it is the version read;
 * - regenerated: the old item is deleted first (on the same condition), then the data written under the new id,
 *   its log-in chain started then, or carried on from the session's (the absolute timeout is never restarted);
 * - new: always written; existing: written with `update` when its data changed;
 * - otherwise the idle expiry is slid, at most once per `touchAfter`;
 * - but a session a later deployment wrote is only ever deleted (destroyed), never written or slid;
 * - and a session whose id the client will not hold is never written (see {@link clientHoldsId}).
 * @param notCarried why the response cannot take the id to the client, `undefined` when it can
 */
export async function persist(
  inv: Invocation,
  shape: DataShape,
  notCarried: string | undefined,
): Promise<number | undefined> {
  const { store, options, state, lifecycle, budget } = inv;
  const { key } = state;
  const stored = state.kind === 'existing' ? state.stored : undefined;
  const now = Date.now();
  const log = options.logger;

  if (lifecycle.destroyed) {
    // Even when a later deployment wrote the item (below): deleting it corrupts nothing that code could read, it
    // ends the session as the user asked, and that deployment, back, treats the id as it treats any logged-out
    // one. Refusing would leave users unable to log out while older code serves them.
    await end(inv); // nothing there: the session ended already, as log-out wants
    log?.info('lambda-sessions: session destroyed', { session: sessionRef(key) });
    return undefined;
  }

  // Data a later deployment wrote, which this code cannot read (reading or setting it threw): no write over
  // it but log-out's delete. No update, and no slide either (this invocation could not use the session; the
  // item stays exactly as that deployment wrote it). A regenerate() would copy it under this code's version.
  if (stored && isNewerSchema(stored.schemaVersion, options.version)) {
    if (lifecycle.regenerated) {
      throw new SessionNewerSchemaError(sessionRef(key), stored.schemaVersion!, options.version);
    }
    return deadline(stored.createdAt, stored.updatedAt, options);
  }

  if (!clientHoldsId(inv, notCarried === undefined)) return unreachable(inv, shape, notCarried!, now);

  const data = await asShaped(shape, inv.session.data);
  const { regenerated } = lifecycle;
  if (regenerated) {
    const json = await validated(inv, shape, data, undefined, regenerated.key);
    const owner = await ownerToBind(inv, regenerated.owner);
    // The old id dies first, on the condition that it is still what this invocation read: a write another
    // request made since is a conflict before anything is written, so a stale copy never carries over to the
    // new id, and a log-out or revocation since (nothing left to delete) writes no new id: a logged-out
    // session stays out. Should the new id's write then fail, the user is logged out, never left with two
    // live ids.
    if ((await end(inv)) === 'absent' && state.kind === 'existing') {
      throw new SessionConflictError(sessionRef(key), { key, current: null });
    }
    const { chain, at } = regenerated;
    await save(
      inv,
      shape,
      {
        key: regenerated.key,
        createdAt: at,
        version: undefined,
        chain,
        ...(owner && { owner: owner.key, ownerEpoch: owner.epoch, label: owner.label }),
      },
      json,
      now,
    );
    log?.info('lambda-sessions: session regenerated', {
      session: sessionRef(regenerated.key),
      previous: sessionRef(key),
    });
    return deadline(at, now, options);
  }

  if (state.kind !== 'existing') {
    const json = await validated(inv, shape, data, undefined, key);
    const previous = replaced(state, now);
    await save(inv, shape, previous, json, now);
    return deadline(previous.createdAt, now, options);
  }
  const { stored: existing } = state;
  if (options.update) {
    const json = await serialize(shape, data);
    if (json !== existing.data) {
      await save(inv, shape, existing, await validated(inv, shape, data, json, key), now);
      return deadline(existing.createdAt, now, options);
    }
  }
  if (options.ttl > 0 && now - existing.updatedAt >= options.touchAfter * 1000) {
    const slid = deadline(existing.createdAt, now, options);
    const touched = await budget((o) =>
      store.touch(key, { expiresAt: slid, updatedAt: now, expectedVersion: existing.version }, o),
    );
    log?.debug('lambda-sessions: session expiry slid', { session: sessionRef(key), touched });
    return slid;
  }
  return deadline(existing.createdAt, existing.updatedAt, options);
}

/**
 * Whether the client holds the session's id once the response reaches it: the response carries the id, or the
 * request brought it (an existing session, an id adopted with `acceptClientId`). Nobody could ever use a session
 * whose id the client does not hold, so it is never written: a bare HTTP API result or a WebSocket handshake
 * with cookies on would otherwise write one item per request.
 */
export function clientHoldsId(inv: Invocation, idCarried: boolean): boolean {
  return idCarried || inv.claim?.id === inv.lifecycle.id;
}

/**
 * The outcome of a session whose id the client will not hold: nothing is written. A `regenerate()` there is
 * refused before any write, since it would delete the id the client holds and hand it none. A new session's
 * data, if the handler set any, is dropped, and a warning says so once per handler.
 */
async function unreachable(
  inv: Invocation,
  shape: DataShape,
  why: string,
  now: number,
): Promise<number | undefined> {
  const { options, lifecycle, state } = inv;
  if (lifecycle.regenerated) {
    throw new SessionResponseError(
      `regenerate() gave the session a new id, which the handler's response cannot take to the client: ${why}. ` +
        'Return a response object with a numeric statusCode (and, on a WebSocket $connect, send the id header or ' +
        'turn cookies off), or regenerate in a handler whose response can carry the id.',
    );
  }
  const log = options.logger;
  log?.debug('lambda-sessions: new session not written, its id cannot reach the client', {
    session: sessionRef(state.key),
  });
  if (log && !warnedDropped.has(options) && (await dataWasSet(inv, shape))) {
    warnedDropped.add(options);
    log.warn(
      'lambda-sessions: the handler set data on a new session whose id cannot reach the client; nothing written ' +
        '(said once per handler)',
      { reason: why },
    );
  }
  return deadline(now, now, options);
}

/** The handlers (by their resolved options) already warned that a new session's data was dropped. */
const warnedDropped = new WeakSet<ResolvedSessionOptions>();

/** The session's JSON as it will be stored, once class-validator passed it; nothing is written otherwise. */
async function validated(
  { options }: Invocation,
  shape: DataShape,
  data: unknown,
  json: string | undefined,
  key: string,
): Promise<string> {
  try {
    json = await encodeForWrite(shape, data, options, sessionRef(key), json);
  } catch (error) {
    if (error instanceof SessionValidationError) {
      options.logger?.warn('lambda-sessions: session data invalid, nothing written', {
        session: sessionRef(key),
        failures: loggableValidationFailures(error.errors),
      });
    }
    throw error;
  }
  return json;
}

/**
 * What a write replaces: the item's key, creation (or its chain's start), the version that was read, its
 * write tokens, its log-in chain and whom it belongs to.
 */
interface Previous extends Partial<
  Pick<StoredSession, 'writeTokens' | 'chain' | 'owner' | 'ownerEpoch' | 'label'>
> {
  readonly key: string;
  readonly createdAt: number;
  readonly version: number | undefined;
}

/**
 * The owner a regenerated session is bound to, with the epoch it is bound under: the session's own on an id
 * rotation (a rotation in flight while its owner was revoked stays revoked), the owner's current one on a
 * log-in, read before anything is written. Needs a store that keeps owners.
 */
async function ownerToBind(
  { store, budget }: Invocation,
  owner: OwnerBinding | undefined,
): Promise<(OwnerBinding & { readonly epoch: number }) | undefined> {
  if (!owner) return undefined;
  const owners = ownerIndexOf(store, 'regenerate({ owner })');
  if (owner.epoch !== undefined) return { ...owner, epoch: owner.epoch };
  return { ...owner, epoch: await budget((o) => owners.epoch(owner.key, o), 'read') };
}

/** What a new session's write under the state's own key replaces, as this invocation read it. */
function replaced(state: Exclude<SessionState, { kind: 'existing' }>, now: number): Previous {
  const version = state.kind === 'new-by-client' ? state.replaces : undefined;
  const carried = state.kind === 'new-by-client' ? state.carried : undefined;
  return { ...carried, key: state.key, createdAt: carried?.createdAt ?? now, version };
}

/**
 * Writes the whole session on the condition that `previous.version` is still the stored one, under a fresh
 * write token: the SDK may send it again after a lost answer, and the store then applies it once.
 */
async function save(
  inv: Invocation,
  shape: DataShape,
  previous: Previous,
  json: string,
  now: number,
): Promise<void> {
  const { store, options, budget } = inv;
  const validatedRules = await rulesOfWrite(shape, options.validation);
  const ref = sessionRef(previous.key);
  const version = (previous.version ?? 0) + 1;
  const saved: StoredSession = {
    key: previous.key,
    data: json,
    createdAt: previous.createdAt,
    updatedAt: now,
    version,
    expiresAt: deadline(previous.createdAt, now, options),
    schemaVersion: options.version,
    ...(validatedRules === undefined ? {} : { validatedRules }),
    writeTokens: [newWriteToken(), ...(previous.writeTokens ?? []).slice(0, WRITE_TOKENS_KEPT - 1)],
    ...(previous.chain === undefined ? {} : { chain: previous.chain }),
    ...(previous.owner === undefined
      ? {}
      : {
          owner: previous.owner,
          ownerEpoch: previous.ownerEpoch ?? 0,
          ...(previous.label === undefined ? {} : { label: previous.label }),
        }),
  };
  try {
    await budget((o) => store.save(saved, previous.version, o));
    options.logger?.debug('lambda-sessions: session saved', { session: ref, version });
  } catch (error) {
    if (error instanceof SessionConflictError) {
      options.logger?.warn('lambda-sessions: concurrent write, changes not saved', { session: ref });
    }
    throw error;
  }
}

/**
 * Deletes the item under the state's key, if the store holds one, on the condition that it is the version
 * this invocation read: a log-out never drops another request's newer write unseen (that is a conflict).
 * `'absent'`: there was nothing to delete (another request ended the session, or a lost answer hid that this
 * delete was applied).
 */
async function end({ state, store, budget }: Invocation): Promise<'deleted' | 'absent' | 'none'> {
  const expectedVersion =
    state.kind === 'existing'
      ? state.stored.version
      : state.kind === 'new-by-client'
        ? state.replaces
        : undefined;
  if (expectedVersion === undefined) return 'none';
  return budget((o) => store.delete(state.key, { expectedVersion }, o));
}

/**
 * Whether `saveUninitialized: false` leaves this session unwritten, and its id unsent: a session the store does
 * not hold, neither regenerated nor destroyed, whose data is still what a new session starts with. Anonymous
 * and hostile requests (no id, a malformed or an unknown one) then cost no write.
 */
export async function isUninitialized(inv: Invocation, shape: DataShape): Promise<boolean> {
  const { options, state, lifecycle } = inv;
  if (
    options.saveUninitialized ||
    state.kind === 'existing' ||
    lifecycle.regenerated ||
    lifecycle.destroyed
  ) {
    return false;
  }
  return !(await dataWasSet(inv, shape));
}

/** Whether the handler changed a new session's data from what it was given. */
async function dataWasSet(inv: Invocation, shape: DataShape): Promise<boolean> {
  return (await serialize(shape, await asShaped(shape, inv.session.data))) !== inv.opened;
}

/** A write's token: 128 random bits, base64url. */
function newWriteToken(): string {
  return randomBytes(16).toString('base64url');
}
