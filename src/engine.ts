import { serialize as serializeCookie } from 'cookie';
import { globalConfig, resolveStore } from './config';
import { type LiveSession, sessionScope } from './current-session';
import {
  loggableValidationFailures,
  SessionConflictError,
  SessionStoreUnavailableError,
  SessionValidationError,
} from './errors';
import { detectEventKind } from './events/event-kind';
import { readCookie } from './events/request-cookies';
import { readSingleHeader } from './events/request-headers';
import { finishResponse, prepareResponse, type ResponseAdditions } from './events/response';
import { resolveSessionOptions, type ResolvedSessionOptions, type SessionOptions } from './options';
import { InvocationContext } from './session-context';
import { ValidationError } from 'class-validator';
import {
  conform,
  type DataShape,
  hydrate,
  newData,
  parseStored,
  serialize,
  validateData,
} from './session-data';
import { generateSessionId, hashSessionId, isUsableId, sessionRef } from './session-id';
import {
  type SessionStore,
  type StoreCallOptions,
  type StoredSession,
  winnerOf,
} from './stores/session-store';
import { deadline, isAlive, toEpochSeconds } from './timeouts';

/** What one invocation found in the store under the id it was sent. */
interface Loaded {
  /** The live session, if there is one. */
  readonly live: StoredSession | undefined;
  /** The version of an expired item still in the table, which a new session under the same id replaces. */
  readonly staleVersion: number | undefined;
}

/** The id a request carried, and how. */
interface Claim {
  readonly id: string;
  readonly via: 'header' | 'cookie';
}

/** One invocation, from the engine's side. */
interface Invocation {
  readonly store: SessionStore;
  readonly options: ResolvedSessionOptions;
  readonly key: string;
  readonly loaded: Loaded;
  readonly session: LiveSession;
  readonly context: InvocationContext;
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
 * run the handler, validate, persist, return the id. `@Session()` and `withSession()` are thin wrappers
 * around it.
 */
export class SessionEngine {
  private resolved: { generation: number; options: ResolvedSessionOptions } | undefined;

  constructor(
    private readonly own: SessionOptions,
    private readonly shape: DataShape,
  ) {}

  /** The options in force: resolved once, and again only after `configureSessions()` changes them. */
  options(): ResolvedSessionOptions {
    const { config, generation } = globalConfig();
    if (this.resolved?.generation !== generation) {
      this.resolved = { generation, options: resolveSessionOptions(config, this.own) };
    }
    return this.resolved.options;
  }

  /**
   * Runs `invoke` inside the session of `event` and returns its response carrying the session id. If `invoke`
   * throws, nothing is written and the error propagates unchanged.
   */
  async run<R>(
    event: unknown,
    invoke: (session: LiveSession) => R | Promise<R>,
    lambdaContext?: unknown,
  ): Promise<R> {
    const options = this.options();
    let known: StoredSession | null | undefined; // what a lost race told us is stored: no need to read it
    for (let attempt = 0; ; attempt++) {
      try {
        const open = await this.open(event, known, lambdaContext);
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
        known = winnerOf(error);
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
   * @param known what a lost race returned for the claimed id (`null`: gone), instead of reading it again
   * @param lambdaContext the Lambda context, whose remaining time bounds every store call
   */
  async open(event: unknown, known?: StoredSession | null, lambdaContext?: unknown): Promise<OpenSession> {
    const options = this.options();
    const store = resolveStore(this.own.store);
    const budget = callBudget(options.storeTimeoutMs, lambdaContext);
    const claim = readClaim(event, options);
    const claimedKey = claim && hashSessionId(claim.id);
    let loaded = claimedKey ? await this.load(store, claimedKey, options, known, budget) : EMPTY;
    let restored: unknown;
    let reset = false;
    if (loaded.live) {
      try {
        restored = await this.restore(loaded.live, options, sessionRef(loaded.live.key));
      } catch (error) {
        if (!(error instanceof SessionValidationError) || options.onInvalidStored !== 'reset') throw error;
        // Asked for: the session starts afresh under the same id, replacing the item that failed.
        options.logger?.warn('lambda-sessions: stored session invalid, starting afresh', {
          session: sessionRef(loaded.live.key),
          failures: loggableValidationFailures(error.errors),
        });
        loaded = { live: undefined, staleVersion: loaded.live.version };
        reset = true;
      }
    }

    // Existing, new by client (only when allowed), or new by server: never adopt an id the client made up.
    const adopted = !loaded.live && claim !== undefined && (options.acceptClientId || reset);
    const keep =
      claim && claimedKey && (loaded.live || adopted) ? { id: claim.id, key: claimedKey } : undefined;
    const id = keep?.id ?? generateSessionId();
    const key = keep?.key ?? hashSessionId(id);
    const ref = sessionRef(key);
    const now = Date.now();
    const { live } = loaded;
    const context = new InvocationContext(
      id,
      !live,
      live?.createdAt ?? now,
      live ? deadline(live.createdAt, live.updatedAt, options) : deadline(now, now, options),
      options.idSecret,
    );
    const session: LiveSession = {
      data: live ? restored : newData(this.shape),
      context,
    };
    if (!live) {
      options.logger?.debug('lambda-sessions: new session', {
        session: ref,
        state: adopted ? 'new-by-client' : 'new-by-server',
      });
    }
    // An adopted id may still have its expired item in the table (DynamoDB's TTL sweep lags): replace it.
    return {
      [OPEN]: {
        store,
        options,
        key,
        loaded: live || adopted ? loaded : EMPTY,
        session,
        context,
        claim,
        event,
        budget,
      },
      session,
    };
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
    return finishResponse(prepared, additions(invocation, expiresAt));
  }

  /**
   * Stored data as the handler gets it: parsed, migrated from an older schema version, hydrated, and (unless
   * `validateOnLoad` is off) validated. Data that cannot be is a `SessionValidationError` from the store.
   */
  private async restore(
    stored: StoredSession,
    options: ResolvedSessionOptions,
    ref: string,
  ): Promise<unknown> {
    let plain = parseStored(stored.data, ref);
    const from = stored.schemaVersion ?? 1;
    if (from !== options.version) {
      if (from > options.version || !options.migrate) {
        throw new SessionValidationError([schemaVersionError(from, options.version)], 'store');
      }
      plain = await options.migrate(plain, from);
      options.logger?.debug('lambda-sessions: session migrated', { session: ref, from, to: options.version });
    }
    const data = hydrate(this.shape, plain, ref);
    if (options.validateOnLoad) await validateData(this.shape, data, options.validation, 'store');
    return data;
  }

  /** The session under `key`, classified; `known` is what a lost race already returned (null: gone). */
  private async load(
    store: SessionStore,
    key: string,
    options: ResolvedSessionOptions,
    known: StoredSession | null | undefined,
    budget: Budget,
  ): Promise<Loaded> {
    const found = known === undefined ? await budget((o) => store.load(key, o)) : (known ?? undefined);
    if (!found) {
      options.logger?.debug('lambda-sessions: session not found', { session: sessionRef(key) });
      return EMPTY;
    }
    if (isAlive(found, Date.now(), options)) return { live: found, staleVersion: undefined };
    options.logger?.debug('lambda-sessions: session expired', { session: sessionRef(key) });
    return { live: undefined, staleVersion: found.version };
  }

  /**
   * Applies the invocation's outcome to the store and returns when the session now dies (epoch ms):
   * - destroyed: the item is deleted;
   * - regenerated: the data is written under the new id, then the old item deleted;
   * - new: always written; existing: written with `update` when its data changed;
   * - otherwise the idle expiry is slid, at most once per `touchAfter`.
   */
  private async persist(inv: Invocation): Promise<number | undefined> {
    const { store, options, key, loaded, context, budget } = inv;
    const { live } = loaded;
    const now = Date.now();
    const log = options.logger;

    if (context.destroyed) {
      if (live || loaded.staleVersion !== undefined) await budget((o) => store.delete(key, o));
      log?.info('lambda-sessions: session destroyed', { session: sessionRef(key) });
      return undefined;
    }

    const data = conform(this.shape, inv.session.data);
    const { regenerated } = context;
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
      if (live) await budget((o) => store.delete(key, o));
      log?.info('lambda-sessions: session regenerated', {
        session: sessionRef(regenerated.key),
        previous: sessionRef(key),
      });
      return deadline(regenerated.at, now, options);
    }

    if (!live) {
      await this.write(inv, { key, createdAt: now, version: loaded.staleVersion }, data, undefined, now);
      return deadline(now, now, options);
    }
    if (options.update) {
      const json = serialize(this.shape, data);
      if (json !== live.data) {
        await this.write(inv, live, data, json, now);
        return deadline(live.createdAt, now, options);
      }
    }
    if (options.ttl > 0 && now - live.updatedAt >= options.touchAfter * 1000) {
      const slid = deadline(live.createdAt, now, options);
      const touched = await budget((o) => store.touch(key, toEpochSeconds(slid), now, live.version, o));
      log?.debug('lambda-sessions: session expiry slid', { session: sessionRef(key), touched });
      return slid;
    }
    return deadline(live.createdAt, live.updatedAt, options);
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

const EMPTY: Loaded = { live: undefined, staleVersion: undefined };

/** A schema version that cannot be read, as a validation failure of the stored data. */
function schemaVersionError(stored: number, current: number): ValidationError {
  const error = new ValidationError();
  error.property = 'schemaVersion';
  error.children = [];
  error.constraints = {
    schemaVersion:
      stored < current
        ? `stored data has schema version ${stored}, this code reads ${current} and has no migrate function`
        : `stored data has schema version ${stored}, newer than this code's ${current} (written by a later deployment)`,
  };
  return error;
}

/** Time kept back from the Lambda's remaining time, to return an error before the runtime kills the invocation. */
const LAMBDA_RESERVE_MS = 250;

/** Runs one store call with an abort signal that fires when the call's time budget is spent. */
type Budget = <T>(call: (options: StoreCallOptions) => Promise<T>) => Promise<T>;

/**
 * Each store call's time budget: `storeTimeoutMs`, cut to the Lambda's remaining time less a reserve when the
 * invocation has a Lambda context. The engine enforces it for every store; the signal only lets a store cancel
 * its work. The timer is cleared as soon as the call settles: `AbortSignal.timeout()` would keep one alive
 * for the whole budget per call (8 µs each, and thousands pending under load).
 */
function callBudget(storeTimeoutMs: number, lambdaContext: unknown): Budget {
  const remaining = (lambdaContext as { getRemainingTimeInMillis?: unknown } | undefined)
    ?.getRemainingTimeInMillis;
  return async (call) => {
    let ms = storeTimeoutMs;
    if (typeof remaining === 'function') {
      const left = Number(remaining.call(lambdaContext));
      if (Number.isFinite(left)) ms = Math.min(ms, left - LAMBDA_RESERVE_MS);
    }
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    // A plain promise, not a listener on the signal: EventTarget listeners cost more than the rest of the call.
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          const error = new SessionStoreUnavailableError(
            `The session store did not finish in its time budget (${Math.round(ms)} ms: storeTimeoutMs, or the ` +
              'Lambda time left); nothing more was written. Check the network path to the store and its latency.',
            { cause: new DOMException('The store call timed out', 'TimeoutError') },
          );
          controller.abort(error);
          reject(error);
        },
        Math.max(1, ms),
      );
    });
    const pending = call({ signal: controller.signal });
    pending.catch(() => undefined); // it may still fail after the budget is spent: that is already reported
    try {
      return await Promise.race([pending, expired]);
    } finally {
      clearTimeout(timer);
    }
  };
}

/** Full jitter, capped: racing retries spread out instead of colliding again. */
function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(100, 5 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The id the request carries: the header first (API clients), then the cookie. An id of the wrong shape is
 * no id: it is never looked up, and never echoed back.
 */
function readClaim(event: unknown, options: ResolvedSessionOptions): Claim | undefined {
  const usable = (id: string | undefined) => id !== undefined && isUsableId(id, options.acceptClientId);
  const header = options.idHeader === false ? undefined : readSingleHeader(event, options.idHeader);
  if (usable(header)) return { id: header!, via: 'header' };
  const cookie = options.cookie && readCookie(event, options.cookie.name);
  if (usable(cookie)) return { id: cookie!, via: 'cookie' };
  if (header !== undefined || cookie) {
    options.logger?.debug('lambda-sessions: malformed session id ignored', {
      length: (header ?? cookie ?? '').length,
    });
  }
  return undefined;
}

/**
 * What goes into the response. The id travels back the way the client can use it: in `Set-Cookie` when
 * cookies are on, and in the header when cookies are off or the client sent the header (a header in every
 * response would let a page script read an id that `HttpOnly` hides). A destroyed session sends no id and
 * clears the cookie.
 */
function additions(
  { options, context, claim }: Invocation,
  expiresAt: number | undefined,
): ResponseAdditions {
  const { cookie, idHeader } = options;
  if (context.destroyed) {
    return cookie
      ? { setCookie: serializeCookie(cookie.name, '', { ...cookieAttributes(cookie), maxAge: 0 }) }
      : {};
  }
  const id = context.id;
  const header =
    idHeader !== false && (!cookie || claim?.via === 'header') ? { name: idHeader, value: id } : undefined;
  if (!cookie) return { header };
  const maxAge =
    cookie.maxAge ??
    (expiresAt === undefined ? undefined : Math.max(0, Math.ceil((expiresAt - Date.now()) / 1000)));
  return { header, setCookie: serializeCookie(cookie.name, id, { ...cookieAttributes(cookie), maxAge }) };
}

function cookieAttributes(cookie: NonNullable<ResolvedSessionOptions['cookie']>) {
  return {
    httpOnly: cookie.httpOnly,
    secure: cookie.secure,
    sameSite: cookie.sameSite,
    path: cookie.path,
    domain: cookie.domain,
  };
}
