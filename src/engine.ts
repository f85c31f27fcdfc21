import { resolveStore, globalConfig } from './config';
import { type LiveSession, sessionScope } from './current-session';
import { detectEventKind } from './events/event-kind';
import { readSingleHeader } from './events/request-headers';
import { withResponseHeader } from './events/response-headers';
import { resolveSessionOptions, type ResolvedSessionOptions, type SessionOptions } from './options';
import { conform, type DataShape, hydrate, newData, serialize, validateData } from './session-data';
import { generateSessionId, hashSessionId, isUsableId, sessionRef } from './session-id';
import { type SessionStore, type StoredSession } from './stores/session-store';
import { deadline, isAlive, toEpochSeconds } from './timeouts';

/** What one invocation found in the store. */
interface Loaded {
  /** The live session, if there is one. */
  readonly live: StoredSession | undefined;
  /** The version of an expired item still in the table, which a new session under the same id replaces. */
  readonly staleVersion: number | undefined;
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
  async run<R>(event: unknown, invoke: (session: LiveSession) => R | Promise<R>): Promise<R> {
    const options = this.options();
    const store = resolveStore(this.own.store);

    const incoming = readSingleHeader(event, options.idHeader);
    const claimed =
      incoming !== undefined && isUsableId(incoming, options.acceptClientId) ? incoming : undefined;
    const claimedKey = claimed === undefined ? undefined : hashSessionId(claimed);
    const loaded = claimedKey === undefined ? EMPTY : await this.load(store, claimedKey, options);

    // Existing, new by client (only when allowed), or new by server: never adopt an id the client made up.
    const adopted = !loaded.live && claimed !== undefined && options.acceptClientId;
    const keep = claimed !== undefined && claimedKey !== undefined && (loaded.live !== undefined || adopted);
    const id = keep ? claimed : generateSessionId();
    const key = keep ? claimedKey : hashSessionId(id);
    // An adopted id may still have its expired item in the table (DynamoDB's TTL sweep lags): replace it.
    const previous: Loaded = adopted ? loaded : EMPTY;
    const session: LiveSession = {
      id,
      isNew: !loaded.live,
      data: loaded.live ? hydrate(this.shape, loaded.live.data, sessionRef(key)) : newData(this.shape),
    };

    const response = await sessionScope.run(session, () => invoke(session));

    await this.persist(store, key, session, loaded.live ? loaded : previous, options);
    return withResponseHeader(response, detectEventKind(event), options.idHeader, id) as R;
  }

  private async load(store: SessionStore, key: string, options: ResolvedSessionOptions): Promise<Loaded> {
    const found = await store.load(key);
    if (!found) return EMPTY;
    return isAlive(found, Date.now(), options)
      ? { live: found, staleVersion: undefined }
      : { live: undefined, staleVersion: found.version };
  }

  /**
   * New sessions are always written; an existing one only with `update` and only if its data changed. A
   * session that is read but not written has its idle expiry slid, at most once per `touchAfter`.
   */
  private async persist(
    store: SessionStore,
    key: string,
    session: LiveSession,
    { live, staleVersion }: Loaded,
    options: ResolvedSessionOptions,
  ): Promise<void> {
    const now = Date.now();
    const data = conform(this.shape, session.data);
    if (!live) {
      return this.write(store, { key, createdAt: now, version: staleVersion }, data, undefined, now, options);
    }
    if (options.update) {
      const json = serialize(this.shape, data);
      if (json !== live.data) return this.write(store, live, data, json, now, options);
    }
    if (options.ttl > 0 && now - live.updatedAt >= options.touchAfter * 1000) {
      await store.touch(key, toEpochSeconds(deadline(live.createdAt, now, options)), now, live.version);
    }
  }

  /** Validates, then writes the whole session on the condition that `previous.version` is still the stored one. */
  private async write(
    store: SessionStore,
    previous: { key: string; createdAt: number; version: number | undefined },
    data: unknown,
    json: string | undefined,
    now: number,
    options: ResolvedSessionOptions,
  ): Promise<void> {
    await validateData(this.shape, data, options.validation);
    // Options such as `whitelist` strip properties while validating: store what was validated.
    if (json === undefined || (options.validation && options.validation.whitelist)) {
      json = serialize(this.shape, data);
    }
    await store.save(
      {
        key: previous.key,
        data: json,
        createdAt: previous.createdAt,
        updatedAt: now,
        version: (previous.version ?? 0) + 1,
        expiresAt: toEpochSeconds(deadline(previous.createdAt, now, options)),
      },
      previous.version,
    );
  }
}

const EMPTY: Loaded = { live: undefined, staleVersion: undefined };
