/** The write path: what an invocation's outcome does to the store. */
import { type Budget } from './budget';
import { asShaped, type DataShape, encodeForWrite, isNewerSchema, serialize } from './data-codec';
import {
  loggableValidationFailures,
  SessionConflictError,
  SessionNewerSchemaError,
  SessionValidationError,
} from './errors';
import { type LiveSession } from './current-session';
import { type SessionLifecycle } from './lifecycle';
import { type ResolvedSessionOptions } from './options';
import { sessionRef } from './session-id';
import { type SessionStore, type StoredSession } from './stores/session-store';
import { deadline, isAlive } from './timeouts';
import { type Claim } from './transport/claim';

/**
 * DESIGN's three states of a session, as the engine decides them after the load:
 * - `existing`: the store holds a live item for the id the request claimed;
 * - `new-by-client`: the claimed id is kept although no live session has it (allowed with `acceptClientId`,
 *   or a stored session that failed validation under `onInvalidStored: 'reset'`); `replaces` is the version
 *   of an item still under that key (expired, or reset), which the new session overwrites;
 * - `new-by-server`: a fresh id (no usable claim, or one the client may not choose).
 */
export type SessionState =
  | { readonly kind: 'existing'; readonly id: string; readonly key: string; readonly stored: StoredSession }
  | {
      readonly kind: 'new-by-client';
      readonly id: string;
      readonly key: string;
      readonly replaces: number | undefined;
    }
  | { readonly kind: 'new-by-server'; readonly id: string; readonly key: string };

/**
 * Whether the store holds an item under the state's key that this invocation ends (log-out) or leaves behind
 * (log-in): a live session, or an expired or reset one the new session was to replace.
 */
function holdsItem(state: SessionState): boolean {
  return state.kind === 'existing' || (state.kind === 'new-by-client' && state.replaces !== undefined);
}

/** One invocation, from the engine's side. */
export interface Invocation {
  readonly store: SessionStore;
  readonly options: ResolvedSessionOptions;
  readonly state: SessionState;
  readonly session: LiveSession;
  readonly lifecycle: SessionLifecycle;
  readonly claim: Claim | undefined;
  readonly event: unknown;
  /** Runs one store call within its time budget. */
  readonly budget: Budget;
}

/**
 * Applies the invocation's outcome to the store and returns when the session now dies (epoch ms):
 * - destroyed: the item is deleted;
 * - regenerated: the data is written under the new id, then the old item deleted;
 * - new: always written; existing: written with `update` when its data changed;
 * - otherwise the idle expiry is slid, at most once per `touchAfter`;
 * - but a session a later deployment wrote is only ever deleted (destroyed), never written or slid.
 */
export async function persist(inv: Invocation, shape: DataShape): Promise<number | undefined> {
  const { store, options, state, lifecycle, budget } = inv;
  const { key } = state;
  const stored = state.kind === 'existing' ? state.stored : undefined;
  const now = Date.now();
  const log = options.logger;

  if (lifecycle.destroyed) {
    // Even when a later deployment wrote the item (below): deleting it corrupts nothing that code could read, it
    // ends the session as the user asked, and that deployment, back, treats the id as it treats any logged-out
    // one. Refusing would leave users unable to log out while older code serves them.
    if (holdsItem(state)) await budget((o) => store.delete(key, o));
    log?.info('lambda-sessions: session destroyed', { session: sessionRef(key) });
    return undefined;
  }

  // Data a later deployment wrote, which this code cannot read (reading or setting it threw): no write over
  // it but log-out's delete. No update, and no slide either (this invocation could not use the session; the
  // item stays exactly as that deployment wrote it). A regenerate() would copy it under this code's version.
  if (stored && isNewerSchema(stored.schemaVersion, options.version)) {
    if (lifecycle.regenerated) throw newerSchema(key, stored.schemaVersion, options);
    return deadline(stored.createdAt, stored.updatedAt, options);
  }

  const data = asShaped(shape, inv.session.data);
  const { regenerated } = lifecycle;
  if (regenerated) {
    // A seeded id may name a session that exists already (the user's, from another device): replace it, unless
    // a later deployment wrote it and it is still alive.
    const existing = regenerated.seeded ? await budget((o) => store.load(regenerated.key, o)) : undefined;
    if (
      existing &&
      isAlive(existing, now, options) &&
      isNewerSchema(existing.schemaVersion, options.version)
    ) {
      throw newerSchema(regenerated.key, existing.schemaVersion, options);
    }
    await write(
      inv,
      shape,
      { key: regenerated.key, createdAt: regenerated.at, version: existing?.version },
      data,
      undefined,
      now,
    );
    if (holdsItem(state)) await budget((o) => store.delete(key, o));
    log?.info('lambda-sessions: session regenerated', {
      session: sessionRef(regenerated.key),
      previous: sessionRef(key),
    });
    return deadline(regenerated.at, now, options);
  }

  if (!stored) {
    const replaces = state.kind === 'new-by-client' ? state.replaces : undefined;
    await write(inv, shape, { key, createdAt: now, version: replaces }, data, undefined, now);
    return deadline(now, now, options);
  }
  if (options.update) {
    const json = serialize(shape, data);
    if (json !== stored.data) {
      await write(inv, shape, stored, data, json, now);
      return deadline(stored.createdAt, now, options);
    }
  }
  if (options.ttl > 0 && now - stored.updatedAt >= options.touchAfter * 1000) {
    const slid = deadline(stored.createdAt, now, options);
    const touched = await budget((o) =>
      store.touch(key, { expiresAt: slid, updatedAt: now, expectedVersion: stored.version }, o),
    );
    log?.debug('lambda-sessions: session expiry slid', { session: sessionRef(key), touched });
    return slid;
  }
  return deadline(stored.createdAt, stored.updatedAt, options);
}

/** Validates, then writes the whole session on the condition that `previous.version` is still the stored one. */
async function write(
  { store, options, budget }: Invocation,
  shape: DataShape,
  previous: { key: string; createdAt: number; version: number | undefined },
  data: unknown,
  json: string | undefined,
  now: number,
): Promise<void> {
  const ref = sessionRef(previous.key);
  try {
    json = await encodeForWrite(shape, data, options.validation, json);
  } catch (error) {
    if (error instanceof SessionValidationError) {
      options.logger?.warn('lambda-sessions: session data invalid, nothing written', {
        session: ref,
        failures: loggableValidationFailures(error.errors),
      });
    }
    throw error;
  }
  try {
    const version = (previous.version ?? 0) + 1;
    const saved: StoredSession = {
      key: previous.key,
      data: json,
      createdAt: previous.createdAt,
      updatedAt: now,
      version,
      expiresAt: deadline(previous.createdAt, now, options),
      schemaVersion: options.version,
    };
    await budget((o) => store.save(saved, previous.version, o));
    options.logger?.debug('lambda-sessions: session saved', { session: ref, version });
  } catch (error) {
    if (error instanceof SessionConflictError) {
      options.logger?.warn('lambda-sessions: concurrent write, changes not saved', { session: ref });
    }
    throw error;
  }
}

function newerSchema(key: string, schemaVersion: number | undefined, options: ResolvedSessionOptions) {
  return new SessionNewerSchemaError(sessionRef(key), schemaVersion ?? 1, options.version);
}
