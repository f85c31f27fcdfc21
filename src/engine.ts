/**
 * One invocation, start to end: read the id, load, decide the state, hydrate, run the handler, then hand the
 * outcome to the write path and the id to the response.
 */
import { globalConfig, resolveStore } from './config';
import { type LiveSession, newerSession, sessionScope } from './current-session';
import { type Budget, callBudget, conflictPause, sleep } from './budget';
import { type DataShape, newData, restore, serialize } from './data-codec';
import {
  type ConflictWinner,
  conflictWinner,
  SessionConfigurationError,
  loggableValidationFailures,
  SessionConflictError,
  SessionNewerSchemaError,
  SessionValidationError,
} from './errors';
import {
  parseSessionOptions,
  resolveSessionOptions,
  type ResolvedSessionOptions,
  type SessionOptions,
} from './options';
import { SessionLifecycle } from './lifecycle';
import { generateSessionId, hashSessionId, ownerKeyOfId, sessionRef } from './session-id';
import { isRevoked, type SessionStore, type StoredSession } from './stores/session-store';
import { type Invocation, isUninitialized, persist, type SessionState } from './persist';
import { deadline, isAlive } from './timeouts';
import { idChannels, readClaim, responseAdditions } from './transport/claim';
import { detectEventKind } from './transport/event-kind';
import { finishResponse, idCarriageProblem, prepareResponse } from './transport/response';

/** What the store holds under a claimed id. */
type Found =
  | { readonly kind: 'live'; readonly stored: StoredSession }
  | { readonly kind: 'expired'; readonly version: number }
  | { readonly kind: 'absent' };

const OPEN = Symbol('invocation');

/** An invocation between `open()` and `close()`: the live session, and the engine's state, kept opaque. */
export interface OpenSession {
  readonly session: LiveSession;
  readonly [OPEN]: Invocation;
}

/**
 * The one place that decides what happens in an invocation: read the id, load, decide the state, hydrate,
 * run the handler, validate, persist, return the id. `@Session()`, `withSession()` and the middy middleware
 * are thin adapters around it.
 */
export class SessionEngine {
  private resolved: { generation: number; options: ResolvedSessionOptions } | undefined;

  private readonly handlerOptions: SessionOptions;
  private readonly where: string;

  /**
   * @param handlerOptions the options the adapter was given, checked here once (they win over the configured ones)
   * @param shape the data's class, or plain JSON
   * @param where who was given the options, for error messages (`withSession()`)
   * @param ambient whether `run()` puts the session in the `AsyncLocalStorage` scope `getSessionData()` reads.
   *   Entering it turns on Node.js's promise hooks for the whole process (Node 20 and 22), which then slow every
   *   promise, the user's own included: an adapter that injects the session passes `false`.
   */
  constructor(
    handlerOptions: SessionOptions,
    private readonly shape: DataShape,
    where: string,
    private readonly ambient = true,
  ) {
    this.handlerOptions = parseSessionOptions({ ...handlerOptions }, where);
    this.where = where;
    // Configured first, as a module usually is: what the handler's options cannot combine with fails now.
    if (globalConfig().generation > 0) this.options();
  }

  /** The options in force: resolved once, and again only after `configureSessions()` changes them. */
  options(): ResolvedSessionOptions {
    const { config, generation } = globalConfig();
    if (this.resolved?.generation !== generation) {
      this.resolved = { generation, options: resolveSessionOptions(config, this.handlerOptions, this.where) };
    }
    return this.resolved.options;
  }

  /**
   * Runs `invoke` inside the session of `event` and returns its response carrying the session id. If `invoke`
   * throws, nothing is written and the error propagates unchanged. With `onConflict: 'retry'` a lost race runs
   * it again: at once on the winner's data, then after pauses on the session read again (see `conflictPause`).
   */
  async run<R>(
    event: unknown,
    invoke: (session: LiveSession) => R | Promise<R>,
    lambdaContext?: unknown,
  ): Promise<R> {
    const options = this.options();
    let winner: ConflictWinner | undefined; // what a lost race told us is stored: no need to read it
    for (let attempt = 0; ; attempt++) {
      const started = Date.now();
      try {
        const open = await this.openSession(event, lambdaContext, winner);
        const response = await this.enter(open.session, invoke);
        return (await this.close(open, response)) as R;
      } catch (error) {
        if (!(error instanceof SessionConflictError) || options.onConflict !== 'retry') throw error;
        const pause =
          attempt < options.conflictRetries
            ? conflictPause(attempt, Date.now() - started, lambdaContext)
            : undefined;
        if (pause === undefined) {
          options.logger?.warn('lambda-sessions: conflict retries exhausted', {
            session: error.sessionRef,
            attempt,
            reason: attempt < options.conflictRetries ? 'no Lambda time left' : 'conflictRetries',
          });
          throw error;
        }
        // Right after the lost race the winner is what is stored; after a pause it may be stale: read again.
        winner = pause === 0 ? conflictWinner(error) : undefined;
        options.logger?.debug('lambda-sessions: conflict, running the handler again', {
          session: error.sessionRef,
          attempt,
        });
        if (pause > 0) await sleep(pause);
      }
    }
  }

  /** Runs the handler, in the session's `AsyncLocalStorage` scope only when the adapter wants one. */
  private enter<R>(session: LiveSession, invoke: (session: LiveSession) => R | Promise<R>): R | Promise<R> {
    return this.ambient ? sessionScope.run(session, () => invoke(session)) : invoke(session);
  }

  /**
   * The first half of an invocation: read the id, load, decide the state, hydrate. For adapters whose
   * handler runs between two hooks (middy); `run()` is `open`, the handler, `close`.
   * @param lambdaContext the Lambda context, whose remaining time bounds every store call
   */
  open(event: unknown, lambdaContext?: unknown): Promise<OpenSession> {
    return this.openSession(event, lambdaContext, undefined);
  }

  /**
   * The second half: validate and persist the session as the handler left it, and return the handler's
   * response carrying the id. Throws (and writes nothing) when validation fails.
   */
  async close(open: OpenSession, response: unknown): Promise<unknown> {
    const invocation = open[OPEN];
    // Checked before the write: a response that cannot carry the id must not leave a session behind.
    const prepared = prepareResponse(
      response,
      detectEventKind(invocation.event),
      invocation.options.cookie !== undefined,
    );
    // saveUninitialized: false: a session nobody used is neither written nor sent.
    if (await isUninitialized(invocation, this.shape)) return finishResponse(prepared, {});
    // And whether the response can carry the id at all: a session nobody can come back to is not written.
    const notCarried = idCarriageProblem(prepared, idChannels(invocation.options, invocation.claim));
    const expiresAt = await persist(invocation, this.shape, notCarried);
    const { lifecycle } = invocation;
    return finishResponse(
      prepared,
      responseAdditions(
        invocation.options,
        invocation.claim,
        lifecycle.destroyed ? { destroyed: true } : { destroyed: false, id: lifecycle.id, expiresAt },
      ),
    );
  }

  /** @param winner what a lost race returned, used instead of a read when it is for the claimed id */
  private async openSession(
    event: unknown,
    lambdaContext: unknown,
    winner: ConflictWinner | undefined,
  ): Promise<OpenSession> {
    const options = this.options();
    const store = resolveStore(this.handlerOptions.store);
    // A store that decompresses stops at the engine's limit: a small item cannot expand without bound.
    const budget = callBudget(options.storeTimeoutMs, lambdaContext, {
      maxDataBytes: options.maxSessionBytes,
    });
    const claim = readClaim(event, options);
    const claimed = claim && { id: claim.id, key: hashSessionId(claim.id) };
    const found = claimed ? await this.find(store, claimed, options, winner, budget) : ABSENT;
    let data: unknown;
    let newer: SessionNewerSchemaError | undefined;
    let state: SessionState | undefined;
    if (claimed && found.kind === 'live') {
      const restored = await this.restoreOrReset(found.stored, options);
      if (restored.kind === 'reset') {
        const { version, createdAt, chain, owner, ownerEpoch, label } = found.stored;
        state = {
          kind: 'new-by-client',
          ...claimed,
          replaces: version,
          carried: { createdAt, chain, owner, ownerEpoch, label },
        };
      } else {
        state = { kind: 'existing', ...claimed, stored: found.stored };
        if (restored.kind === 'newer') newer = restored.error;
        else data = restored.data;
      }
    } else if (claimed && options.acceptClientId && ownerKeyOfId(claimed.id) === undefined) {
      // An adopted id may still have its expired item in the table (DynamoDB's TTL sweep lags): replace it.
      state = {
        kind: 'new-by-client',
        ...claimed,
        replaces: found.kind === 'expired' ? found.version : undefined,
      };
    }
    // Otherwise never adopt an id the client made up (no session fixation), nor an owned id that is dead.
    let opened: string | undefined;
    state ??= newByServer();
    if (state.kind !== 'existing') {
      options.logger?.debug('lambda-sessions: new session', {
        session: sessionRef(state.key),
        state: state.kind,
      });
      data = await newData(this.shape);
      // What "the handler set data" is measured against, taken only where it is asked: saveUninitialized off,
      // or a logger to warn that set data could not be kept (see persist).
      if (!options.saveUninitialized || options.logger) opened = await serialize(this.shape, data);
    }

    const now = Date.now();
    const stored = state.kind === 'existing' ? state.stored : undefined;
    // A reset keeps the id, so the chain it is in and when that started.
    const origin = stored ?? (state.kind === 'new-by-client' ? state.carried : undefined);
    const createdAt = origin?.createdAt ?? now;
    const lifecycle = new SessionLifecycle(
      state.id,
      !stored,
      createdAt,
      deadline(createdAt, stored?.updatedAt ?? now, options),
      options.idSecret,
      origin?.chain !== undefined,
      origin?.owner === undefined
        ? undefined
        : { key: origin.owner, epoch: origin.ownerEpoch, label: origin.label },
    );
    const session: LiveSession = newer
      ? newerSession(lifecycle, newer.sessionRef, newer.storedVersion, newer.readsVersion)
      : { data, lifecycle };
    return {
      [OPEN]: { store, options, state, session, lifecycle, claim, event, opened, budget },
      session,
    };
  }

  /**
   * The stored data for the handler; or word that it failed and the session starts afresh (when asked); or
   * that a later deployment wrote it, and the session opens with data this code cannot read.
   */
  private async restoreOrReset(stored: StoredSession, options: ResolvedSessionOptions): Promise<Restored> {
    const ref = sessionRef(stored.key);
    try {
      return {
        kind: 'restored',
        data: await restore(
          this.shape,
          stored.data,
          stored.schemaVersion,
          options,
          ref,
          stored.validatedRules,
        ),
      };
    } catch (error) {
      // Never reset, whatever onInvalidStored says: a reset would write this code's data over the later
      // deployment's. The invocation goes on (log-out must work) with data that throws when read (see persist).
      if (error instanceof SessionNewerSchemaError) {
        options.logger?.warn('lambda-sessions: session written by a later deployment, left as it is', {
          session: ref,
          storedVersion: error.storedVersion,
          readsVersion: error.readsVersion,
        });
        return { kind: 'newer', error };
      }
      if (!(error instanceof SessionValidationError) || options.onInvalidStored !== 'reset') throw error;
      // Asked for: the session starts afresh under the same id, replacing the item that failed.
      options.logger?.warn('lambda-sessions: stored session invalid, starting afresh', {
        session: ref,
        failures: loggableValidationFailures(error.errors),
      });
      return { kind: 'reset' };
    }
  }

  /**
   * What the store holds under `key`. `winner` is what a lost race returned: it stands for a read only when the
   * race was on this key (a lost race on a new or regenerated id says nothing of the claimed one), and the id
   * belongs to nobody (an owned session is read again, with its owner's epoch).
   */
  private async find(
    store: SessionStore,
    { id, key }: { readonly id: string; readonly key: string },
    options: ResolvedSessionOptions,
    winner: ConflictWinner | undefined,
    budget: Budget,
  ): Promise<Found> {
    const ownerKey = ownerKeyOfId(id);
    const found =
      ownerKey !== undefined
        ? await findOwnedSession(store, key, ownerKey, options, budget)
        : winner?.key === key
          ? (winner.current ?? undefined)
          : await budget((o) => store.load(key, o), 'read');
    if (!found) {
      options.logger?.debug('lambda-sessions: session not found', { session: sessionRef(key) });
      return ABSENT;
    }
    if (found.expiresAt !== undefined && found.expiresAt < found.createdAt) {
      // A session never expires before it was created, unless the store still gives expiresAt in epoch seconds
      // (the contract before 0.2): every session would look long expired, and every request silently start anew.
      throw new SessionConfigurationError(
        `The store returned session ${sessionRef(key)} with expiresAt ${found.expiresAt}, which is epoch ` +
          'seconds; the SessionStore contract is epoch milliseconds (see the CHANGELOG): convert it in the store.',
      );
    }
    if (isAlive(found, Date.now(), options)) return { kind: 'live', stored: found };
    options.logger?.debug('lambda-sessions: session expired', { session: sessionRef(key) });
    return { kind: 'expired', version: found.version };
  }
}

const ABSENT: Found = { kind: 'absent' };

/**
 * The session an owned id names, with its owner's epoch in the same read: `undefined` when there is none, or
 * when it is revoked (bound under an epoch below the owner's now) or is not that owner's (an id whose owner part
 * was changed). A store that keeps no owners cannot tell, so it opens no owned id.
 */
async function findOwnedSession(
  store: SessionStore,
  key: string,
  ownerKey: string,
  options: ResolvedSessionOptions,
  budget: Budget,
): Promise<StoredSession | undefined> {
  const { owners } = store;
  if (!owners) {
    options.logger?.debug('lambda-sessions: owned id ignored, the store keeps no owners', {
      session: sessionRef(key),
    });
    return undefined;
  }
  const { session, epoch } = await budget((o) => owners.loadOwned(key, ownerKey, o), 'read');
  if (session && (session.owner !== ownerKey || isRevoked(session, epoch))) {
    options.logger?.debug('lambda-sessions: session revoked', { session: sessionRef(key) });
    return undefined;
  }
  return session;
}

/** What restoring the stored data gave. */
type Restored =
  | { readonly kind: 'restored'; readonly data: unknown }
  | { readonly kind: 'reset' }
  | { readonly kind: 'newer'; readonly error: SessionNewerSchemaError };

function newByServer(): SessionState {
  const id = generateSessionId();
  return { kind: 'new-by-server', id, key: hashSessionId(id) };
}
