import { type ValidatorOptions } from 'class-validator';
import { SessionConfigurationError } from './errors';
import { type SessionLogger } from './logger';
import { type SessionStore } from './stores/session-store';
import { type CookieSetting, mergeCookie, type ResolvedCookie, resolveCookie } from './transport/cookies';
import { HEADER_NAME } from './transport/headers';

/**
 * What one handler's sessions do. Every field may also be set for all handlers in `configureSessions()`;
 * a handler's own value wins.
 */
export interface SessionOptions {
  /**
   * Idle lifetime in seconds, sliding from the session's last use. `0` disables it (with `absoluteTimeout: 0`
   * too, sessions never expire, as in `session-lambda`). @default 7200 (2 h, OWASP)
   */
  ttl?: number;
  /** Lifetime from creation in seconds, whatever the activity. `0` disables it. @default 43200 (12 h, OWASP) */
  absoluteTimeout?: number;
  /**
   * Write the handler's changes to an existing session. With `false` an existing session is read-only and
   * changes are discarded; a new session is always written. @default false (as `session-lambda`)
   */
  update?: boolean;
  /**
   * The request and response header carrying the id; read without regard to case. `false` turns the header
   * transport off (cookie-only). @default 'session-id'
   */
  idHeader?: string | false;
  /**
   * Carry the id in a cookie too: `true` for the configured settings (or the defaults), or the cookie's
   * settings, merged field by field over those of `configureSessions()`. The request's id is
   * read from the header first, then the cookie. With cookies on, the id goes in `Set-Cookie` and in the
   * response header only when the request used the header: a page script could read a response header and
   * defeat `HttpOnly`. @default false
   */
  cookie?: CookieSetting;
  /**
   * The server secret for ids derived from a stable key (`regenerate({ seed })`): the id is an HMAC of the
   * seed, which nobody without the secret can compute. At least 32 bytes; keep it in a secret store.
   * @default none: derived ids are refused
   */
  idSecret?: string | Uint8Array;
  /** Where to log (Powertools Logger, `console`, ...). Ids appear only as hash prefixes, data never. @default none */
  logger?: SessionLogger;
  /**
   * Adopt an unknown id proposed by the client (matching `^[A-Za-z0-9_-]{16,128}$`) instead of issuing a
   * fresh one. Off, a client cannot choose its session id, which rules out session fixation. @default false
   */
  acceptClientId?: boolean;
  /**
   * How long, in seconds, after a session's last write its idle expiry is slid again when it is read but not
   * changed. A slide is one small `UpdateItem`; this bounds them to one per `touchAfter`.
   * @default a tenth of `ttl`
   */
  touchAfter?: number;
  /**
   * What to do when another request changed the session between this one's read and write. `throw`: a
   * `SessionConflictError`, nothing overwritten. `retry`: start again from the winner's data and run the
   * handler again, up to `conflictRetries` times; only for handlers that are safe to run twice.
   * @default 'throw'
   */
  onConflict?: 'throw' | 'retry';
  /** How many times `onConflict: 'retry'` runs the handler again before giving up. @default 3 */
  conflictRetries?: number;
  /**
   * The most a store call may take, in milliseconds, retries included; it is cut shorter to leave 250 ms of
   * the Lambda's remaining time (`context.getRemainingTimeInMillis()`). A call past it fails with
   * `SessionStoreUnavailableError` instead of hanging until the Lambda times out. @default 3000
   */
  storeTimeoutMs?: number;
  /**
   * The schema version of the session data, stored with each session. Raise it when the session class changes
   * in a way old data does not fit, and give `migrate`. @default 1
   */
  version?: number;
  /**
   * Upgrades stored data written under an older `version` to the current one, before it is hydrated and
   * validated. Receives the stored plain JSON and its version; returns the plain JSON of the current version.
   * @example
   * migrate: (data, from) => (from === 1 ? { items: (data as { lines: unknown[] }).lines } : data)
   */
  migrate?: (data: unknown, fromVersion: number) => unknown;
  /**
   * Validate stored data when it is loaded, so that data an older deployment wrote is never handed to the
   * handler unchecked. @default true
   */
  validateOnLoad?: boolean;
  /**
   * What to do when stored data fails validation on load or has a schema version that cannot be migrated:
   * `throw` a `SessionValidationError` with `source: 'store'`, or `reset`: start a fresh session under the
   * same id (logged as a warning). @default 'throw'
   */
  onInvalidStored?: 'throw' | 'reset';
  /** Where the sessions live. @default the store from `configureSessions()` or the environment */
  store?: SessionStore;
  /**
   * Options for `class-validator`'s `validate()`, run on the session before every write (`whitelist`,
   * `forbidNonWhitelisted`, `groups`, ...). `false` skips validation. @default {}
   */
  validation?: ValidatorOptions | false;
}

/** The defaults, in one place. */
export const SESSION_DEFAULTS = Object.freeze({
  /** 2 h idle, OWASP's default. */
  ttl: 7_200,
  /** 12 h from creation, OWASP's default. */
  absoluteTimeout: 43_200,
  /** Existing sessions are read-only, as in session-lambda. */
  update: false,
  /** session-lambda's header. */
  idHeader: 'session-id' as string | false,
  /** Only server-issued ids: no session fixation. */
  acceptClientId: false,
  /** class-validator's own defaults. */
  validation: {} as ValidatorOptions | false,
  /** Header transport only. */
  cookie: false as CookieSetting,
  /** A lost race is an error, never a silent overwrite. */
  onConflict: 'throw' as 'throw' | 'retry',
  /** Retries of `onConflict: 'retry'`. */
  conflictRetries: 3,
  /** The first schema version. */
  version: 1,
  /** Stored data is checked before the handler sees it. */
  validateOnLoad: true,
  /** Never a silent reset. */
  onInvalidStored: 'throw' as 'throw' | 'reset',
  /** DynamoDB answers in milliseconds; three seconds covers its retries and still fails well before most Lambda timeouts. */
  storeTimeoutMs: 3_000,
} as const);

/** Options with every default filled in. */
export interface ResolvedSessionOptions {
  readonly ttl: number;
  readonly absoluteTimeout: number;
  readonly update: boolean;
  readonly idHeader: string | false;
  readonly acceptClientId: boolean;
  readonly touchAfter: number;
  readonly validation: ValidatorOptions | false;
  readonly cookie: ResolvedCookie | undefined;
  readonly idSecret: Uint8Array | undefined;
  readonly logger: SessionLogger | undefined;
  readonly onConflict: 'throw' | 'retry';
  readonly conflictRetries: number;
  readonly storeTimeoutMs: number;
  readonly version: number;
  readonly migrate: ((data: unknown, fromVersion: number) => unknown) | undefined;
  readonly validateOnLoad: boolean;
  readonly onInvalidStored: 'throw' | 'reset';
}

/**
 * Checks options a developer wrote, so that a mistake fails when the handler is defined, with the option's
 * name, rather than on a request.
 */
export function checkSessionOptions(options: SessionOptions, where: string): void {
  if (options.onConflict !== undefined && options.onConflict !== 'throw' && options.onConflict !== 'retry') {
    throw new SessionConfigurationError(
      `${where}: onConflict must be 'throw' or 'retry', got ${String(options.onConflict)}.`,
    );
  }
  if (
    options.storeTimeoutMs !== undefined &&
    !(Number.isFinite(options.storeTimeoutMs) && options.storeTimeoutMs > 0)
  ) {
    throw new SessionConfigurationError(
      `${where}: storeTimeoutMs must be a number of milliseconds above 0, got ${String(options.storeTimeoutMs)}.`,
    );
  }
  for (const field of ['ttl', 'absoluteTimeout', 'touchAfter', 'conflictRetries'] as const) {
    const value = options[field];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new SessionConfigurationError(
        `${where}: ${field} must be a whole number${field === 'conflictRetries' ? '' : ' of seconds'}, 0 or more, got ${String(value)}.`,
      );
    }
  }
  for (const field of ['update', 'acceptClientId', 'validateOnLoad'] as const) {
    const value = options[field];
    if (value !== undefined && typeof value !== 'boolean') {
      throw new SessionConfigurationError(`${where}: ${field} must be true or false, got ${String(value)}.`);
    }
  }
  if (options.idHeader !== undefined && options.idHeader !== false && !HEADER_NAME.test(options.idHeader)) {
    throw new SessionConfigurationError(
      `${where}: idHeader must be an HTTP header name (letters, digits, -) or false, got ${JSON.stringify(options.idHeader)}.`,
    );
  }
  if (options.cookie !== undefined) resolveCookie(options.cookie, where);
  if (options.idSecret !== undefined) secretBytes(options.idSecret, where);
  if (options.idHeader === false && options.cookie === false) {
    throw new SessionConfigurationError(
      `${where}: with idHeader: false and cookie: false no id can travel; enable one.`,
    );
  }
  const { logger } = options;
  if (
    logger !== undefined &&
    !['debug', 'info', 'warn', 'error'].every((m) => typeof Reflect.get(logger, m) === 'function')
  ) {
    throw new SessionConfigurationError(`${where}: logger must have debug, info, warn and error methods.`);
  }
  const { store } = options;
  if (
    store !== undefined &&
    !['load', 'save', 'touch', 'delete'].every((m) => typeof Reflect.get(store, m) === 'function')
  ) {
    throw new SessionConfigurationError(
      `${where}: store must implement SessionStore (load, save, touch, delete).`,
    );
  }
}

/** Fills in the defaults: the handler's options over the global ones over {@link SESSION_DEFAULTS}. */
export function resolveSessionOptions(global: SessionOptions, own: SessionOptions): ResolvedSessionOptions {
  const pick = <K extends keyof typeof SESSION_DEFAULTS>(key: K) =>
    (own[key] ?? global[key] ?? SESSION_DEFAULTS[key]) as (typeof SESSION_DEFAULTS)[K];
  const ttl = pick('ttl');
  if (pick('idHeader') === false && pick('cookie') === false) {
    throw new SessionConfigurationError(
      'idHeader is false and cookie is off, so no id can travel: enable one.',
    );
  }
  return {
    ttl,
    absoluteTimeout: pick('absoluteTimeout'),
    update: pick('update'),
    idHeader: pick('idHeader'),
    acceptClientId: pick('acceptClientId'),
    touchAfter: own.touchAfter ?? global.touchAfter ?? Math.floor(ttl / 10),
    validation: pick('validation'),
    cookie: resolveCookie(mergeCookie(global.cookie, own.cookie), 'cookie'),
    idSecret: pickSecret(own.idSecret ?? global.idSecret),
    logger: own.logger ?? global.logger,
    onConflict: pick('onConflict'),
    conflictRetries: pick('conflictRetries'),
    storeTimeoutMs: pick('storeTimeoutMs'),
    version: pick('version'),
    migrate: own.migrate ?? global.migrate,
    validateOnLoad: pick('validateOnLoad'),
    onInvalidStored: pick('onInvalidStored'),
  };
}

function pickSecret(secret: string | Uint8Array | undefined): Uint8Array | undefined {
  return secret === undefined ? undefined : secretBytes(secret, 'idSecret');
}

/** Smallest server secret accepted: 256 bits, the HMAC-SHA-256 key size. */
const MIN_SECRET_BYTES = 32;

function secretBytes(secret: string | Uint8Array, where: string): Uint8Array {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  if (!(bytes instanceof Uint8Array) || bytes.length < MIN_SECRET_BYTES) {
    throw new SessionConfigurationError(
      `${where}: idSecret must be at least ${MIN_SECRET_BYTES} bytes of secret (for example ` +
        "crypto.randomBytes(32).toString('base64url'), kept in Secrets Manager or SSM).",
    );
  }
  return bytes;
}
