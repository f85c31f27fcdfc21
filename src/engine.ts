import { globalConfig, resolveStore } from './config';
import { type LiveSession, sessionScope } from './current-session';
import { backoff, type Budget, callBudget } from './budget';
import { asShaped, type DataShape, newData, restore, serialize, validateData } from './data-codec';
import { loggableValidationFailures, SessionConflictError, SessionValidationError } from './errors';
import {
  parseSessionOptions,
  resolveSessionOptions,
  type ResolvedSessionOptions,
  type SessionOptions,
} from './options';
import { InvocationContext } from './session-context';
import { generateSessionId, hashSessionId, sessionRef } from './session-id';
import { type SessionStore, type StoredSession, winnerOf } from './stores/session-store';
import { deadline, isAlive, toEpochSeconds } from './timeouts';
import { type Claim, readClaim, responseAdditions } from './transport/claim';
import { detectEventKind } from './transport/event-kind';
import { finishResponse, prepareResponse } from './transport/response';

/**
 * DESIGN's three states of a session, as the engine decides them after the load:
 * - `existing`: the store holds a live item for the id the request claimed;
 * - `new-by-client`: the claimed id is kept although no live session has it (allowed with `acceptClientId`,
 *   or a stored session that failed validation under `onInvalidStored: 'reset'`); `replaces` is the version
 *   of an item still under that key (expired, or reset), which the new session overwrites;
 * - `new-by-server`: a fresh id (no usable claim, or one the client may not choose).
 */
type SessionState =
  | { readonly kind: 'existing'; readonly id: string; readonly key: string; readonly stored: StoredSession }
  | {
      readonly kind: 'new-by-client';
      readonly id: string;
      readonly key: string;
      readonly replaces: number | undefined;
    }
  | { readonly kind: 'new-by-server'; readonly id: string; readonly key: string };

/** What the store holds under a claimed id. */
type Found =
  | { readonly kind: 'live'; readonly stored: StoredSession }
  | { readonly kind: 'expired'; readonly version: number }
  | { readonly kind: 'absent' };

/** One invocation, from the engine's side. */
interface Invocation {
  readonly store: SessionStore;
  readonly options: ResolvedSessionOptions;
  readonly state: SessionState;
  readonly session: LiveSession;
  readonly lifecycle: InvocationContext;
  readonly claim: Claim | undefined;
  readonly event: unknown;
  /** Runs one store call within its time budget. */
  readonly budget: Budget;
}

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

  /**
   * @param handlerOptions the options the adapter was given, checked here once (they win over the configured ones)
   * @param shape the data's class, or plain JSON
   * @param where who was given the options, for error messages (`withSession()`)
   */
  constructor(
    handlerOptions: SessionOptions,
    private readonly shape: DataShape,
    where: string,
  ) {
    this.handlerOptions = parseSessionOptions({ ...handlerOptions }, where);
  }

  /** The options in force: resolved once, and again only after `configureSessions()` changes them. */
  options(): ResolvedSessionOptions {
    const { config, generation } = globalConfig();
    if (this.resolved?.generation !== generation) {
      this.resolved = { generation, options: resolveSessionOptions(config, this.handlerOptions) };
    }
    return this.resolved.options;
  }

  /**
   * Runs `invoke` inside the session of `event` and returns its response carrying the session id. If `invoke`
   * throws, nothing is written and the error propagates unchanged. With `onConflict: 'retry'` a lost race runs
   * it again from the winner's data.
   */
  async run<R>(
    event: unknown,
    invoke: (session: LiveSession) => R | Promise<R>,
    lambdaContext?: unknown,
  ): Promise<R> {
    const options = this.options();
    let winner: StoredSession | null | undefined; // what a lost race told us is stored: no need to read it
    for (let attempt = 0; ; attempt++) {
      try {
        const open = await this.openSession(event, lambdaContext, winner);
        const response = await sessionScope.run(open.session, () => invoke(open.session));
        return (await this.close(open, response)) as R;
      } catch (error) {
        if (!(error instanceof SessionConflictError) || options.onConflict !== 'retry') throw error;
        if (attempt >= options.conflictRetries) {
          options.logger?.warn('lambda-sessions: conflict retries exhausted', {
            session: error.sessionRef,
            attempt,
          });
          throw error;
        }
        winner = winnerOf(error);
        options.logger?.debug('lambda-sessions: conflict, running the handler again', {
          session: error.sessionRef,
          attempt,
        });
        await backoff(attempt);
      }
    }
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
    const expiresAt = await this.persist(invocation);
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

  /** @param winner what a lost race returned for the claimed id (`null`: gone), instead of reading it again */
  private async openSession(
    event: unknown,
    lambdaContext: unknown,
    winner: StoredSession | null | undefined,
  ): Promise<OpenSession> {
    const options = this.options();
    const store = resolveStore(this.handlerOptions.store);
    const budget = callBudget(options.storeTimeoutMs, lambdaContext);
    const claim = readClaim(event, options);
    const claimed = claim && { id: claim.id, key: hashSessionId(claim.id) };
    const found = claimed ? await this.find(store, claimed.key, options, winner, budget) : ABSENT;
    let data: unknown;
    let state: SessionState | undefined;
    if (claimed && found.kind === 'live') {
      const restored = await this.restoreOrReset(found.stored, options);
      if (restored.reset) {
        state = { kind: 'new-by-client', ...claimed, replaces: found.stored.version };
      } else {
        state = { kind: 'existing', ...claimed, stored: found.stored };
        data = restored.data;
      }
    } else if (claimed && options.acceptClientId) {
      // An adopted id may still have its expired item in the table (DynamoDB's TTL sweep lags): replace it.
      state = {
        kind: 'new-by-client',
        ...claimed,
        replaces: found.kind === 'expired' ? found.version : undefined,
      };
    }
    // Otherwise never adopt an id the client made up: no session fixation.
    state ??= newByServer();
    if (state.kind !== 'existing') {
      options.logger?.debug('lambda-sessions: new session', {
        session: sessionRef(state.key),
        state: state.kind,
      });
      data = newData(this.shape);
    }

    const now = Date.now();
    const stored = state.kind === 'existing' ? state.stored : undefined;
    const lifecycle = new InvocationContext(
      state.id,
      !stored,
      stored?.createdAt ?? now,
      stored ? deadline(stored.createdAt, stored.updatedAt, options) : deadline(now, now, options),
      options.idSecret,
    );
    const session: LiveSession = { data, context: lifecycle };
    return {
      [OPEN]: { store, options, state, session, lifecycle, claim, event, budget },
      session,
    };
  }

  /** The stored data for the handler, or word that it failed and the session starts afresh (when asked). */
  private async restoreOrReset(
    stored: StoredSession,
    options: ResolvedSessionOptions,
  ): Promise<{ readonly reset: false; readonly data: unknown } | { readonly reset: true }> {
    const ref = sessionRef(stored.key);
    try {
      return {
        reset: false,
        data: await restore(this.shape, stored.data, stored.schemaVersion, options, ref),
      };
    } catch (error) {
      if (!(error instanceof SessionValidationError) || options.onInvalidStored !== 'reset') throw error;
      // Asked for: the session starts afresh under the same id, replacing the item that failed.
      options.logger?.warn('lambda-sessions: stored session invalid, starting afresh', {
        session: ref,
        failures: loggableValidationFailures(error.errors),
      });
      return { reset: true };
    }
  }

  /** What the store holds under `key`; `winner` is what a lost race already returned (null: gone). */
  private async find(
    store: SessionStore,
    key: string,
    options: ResolvedSessionOptions,
    winner: StoredSession | null | undefined,
    budget: Budget,
  ): Promise<Found> {
    const found = winner === undefined ? await budget((o) => store.load(key, o)) : (winner ?? undefined);
    if (!found) {
      options.logger?.debug('lambda-sessions: session not found', { session: sessionRef(key) });
      return ABSENT;
    }
    if (isAlive(found, Date.now(), options)) return { kind: 'live', stored: found };
    options.logger?.debug('lambda-sessions: session expired', { session: sessionRef(key) });
    return { kind: 'expired', version: found.version };
  }

  /**
   * Applies the invocation's outcome to the store and returns when the session now dies (epoch ms):
   * - destroyed: the item is deleted;
   * - regenerated: the data is written under the new id, then the old item deleted;
   * - new: always written; existing: written with `update` when its data changed;
   * - otherwise the idle expiry is slid, at most once per `touchAfter`.
   */
  private async persist(inv: Invocation): Promise<number | undefined> {
    const { store, options, state, lifecycle, budget } = inv;
    const { key } = state;
    const stored = state.kind === 'existing' ? state.stored : undefined;
    const now = Date.now();
    const log = options.logger;

    if (lifecycle.destroyed) {
      if (stored || (state.kind === 'new-by-client' && state.replaces !== undefined)) {
        await budget((o) => store.delete(key, o));
      }
      log?.info('lambda-sessions: session destroyed', { session: sessionRef(key) });
      return undefined;
    }

    const data = asShaped(this.shape, inv.session.data);
    const { regenerated } = lifecycle;
    if (regenerated) {
      // A seeded id may name a session that exists already (the user's, from another device): replace it.
      const existing = regenerated.seeded ? await budget((o) => store.load(regenerated.key, o)) : undefined;
      await this.write(
        inv,
        { key: regenerated.key, createdAt: regenerated.at, version: existing?.version },
        data,
        undefined,
        now,
      );
      if (stored) await budget((o) => store.delete(key, o));
      log?.info('lambda-sessions: session regenerated', {
        session: sessionRef(regenerated.key),
        previous: sessionRef(key),
      });
      return deadline(regenerated.at, now, options);
    }

    if (!stored) {
      const replaces = state.kind === 'new-by-client' ? state.replaces : undefined;
      await this.write(inv, { key, createdAt: now, version: replaces }, data, undefined, now);
      return deadline(now, now, options);
    }
    if (options.update) {
      const json = serialize(this.shape, data);
      if (json !== stored.data) {
        await this.write(inv, stored, data, json, now);
        return deadline(stored.createdAt, now, options);
      }
    }
    if (options.ttl > 0 && now - stored.updatedAt >= options.touchAfter * 1000) {
      const slid = deadline(stored.createdAt, now, options);
      const touched = await budget((o) => store.touch(key, toEpochSeconds(slid), now, stored.version, o));
      log?.debug('lambda-sessions: session expiry slid', { session: sessionRef(key), touched });
      return slid;
    }
    return deadline(stored.createdAt, stored.updatedAt, options);
  }

  /** Validates, then writes the whole session on the condition that `previous.version` is still the stored one. */
  private async write(
    { store, options, budget }: Invocation,
    previous: { key: string; createdAt: number; version: number | undefined },
    data: unknown,
    json: string | undefined,
    now: number,
  ): Promise<void> {
    const ref = sessionRef(previous.key);
    try {
      await validateData(this.shape, data, options.validation);
    } catch (error) {
      if (error instanceof SessionValidationError) {
        options.logger?.warn('lambda-sessions: session data invalid, nothing written', {
          session: ref,
          failures: loggableValidationFailures(error.errors),
        });
      }
      throw error;
    }
    // Options such as `whitelist` strip properties while validating: store what was validated.
    if (json === undefined || (options.validation && options.validation.whitelist)) {
      json = serialize(this.shape, data);
    }
    try {
      const version = (previous.version ?? 0) + 1;
      const saved: StoredSession = {
        key: previous.key,
        data: json,
        createdAt: previous.createdAt,
        updatedAt: now,
        version,
        expiresAt: toEpochSeconds(deadline(previous.createdAt, now, options)),
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
}

const ABSENT: Found = { kind: 'absent' };

function newByServer(): SessionState {
  const id = generateSessionId();
  return { kind: 'new-by-server', id, key: hashSessionId(id) };
}
