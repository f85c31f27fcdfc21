import { type ValidatorOptions } from 'class-validator';
import { DEFAULT_MAX_SESSION_BYTES, DEFAULT_STORE_TIMEOUT_MS } from './constants';
import { SessionConfigurationError } from './errors';
import { type SessionLogger } from './logger';
import { secretKey } from './secret';
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
   * Write a new session, and send its id, even when the handler left it as it started (no data set, no
   * `regenerate()`). With `false`, requests that carry no id, a malformed one or an unknown one cost no write
   * until the handler stores something: anonymous and hostile traffic writes nothing. express-session's name.
   * @default true with the header transport alone (as `session-lambda`: a client gets its id on the first
   * response), `false` when `cookie` is on (a browser needs no cookie before there is something in it)
   */
  saveUninitialized?: boolean;
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
   * seed, which nobody without the secret can compute. 32 or more random bytes: a `Buffer`, or their hex,
   * base64 or base64url text (`npx lambda-sessions secret` prints one). Text that is not random (`'a' × 32`, a
   * passphrase, a repeated pattern) is refused. The HMAC key is the value as given: a string's text, a
   * buffer's bytes. Keep it in a secret store.
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
   * `SessionConflictError`, nothing overwritten. `retry`: run the handler again on the data that won, up to
   * `conflictRetries` times and while the Lambda has time for it; only for handlers that are safe to run twice.
   * @default 'throw'
   */
  onConflict?: 'throw' | 'retry';
  /**
   * How many times `onConflict: 'retry'` runs the handler again before giving up with `SessionConflictError`.
   * The first retry runs at once on the winner's data; each later one after a random pause (a window of twice
   * the last attempt, doubling up to 2 s), on the session read again. Retries stop sooner when the
   * Lambda's remaining time, less 250 ms, would not fit another attempt; no pause runs into that time. With 20,
   * 50 concurrent increments of one session are all acknowledged (`npm run bench:retry`, BENCHMARKS.md).
   * @default 20
   */
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
   * handler unchecked. `true` validates when the data may fail: it was migrated from another `version`, or the
   * rules it passed when written (a fingerprint of the class's class-validator and class-transformer decorators,
   * nested classes included, and of `validation`, stored with the item) are not this code's, or it was written
   * without validation or by an earlier version of this library. Data this code wrote under the same rules is
   * not validated twice. The fingerprint does not see inside the functions a decorator calls: after changing
   * such a function alone, raise `version` (with a `migrate`) or use `'always'`, which validates every load.
   * `false` never validates on load. @default true
   */
  validateOnLoad?: boolean | 'always';
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
   * `forbidNonWhitelisted`, `groups`, ...). `false` skips validation. A `SessionValidationError`
   * never holds the session nor its values: asking for them (`validationError.target` or `.value`) is refused.
   * @default {}
   */
  validation?: ValidatorOptions | false;
  /**
   * The most session JSON, in UTF-8 bytes, written or read. A write over it fails with `SessionTooLargeError`
   * (checked before compression: DynamoDB's 400 KB limit counts compressed bytes, and a few KB can hold
   * megabytes of JSON); stored data over it is not decompressed or parsed past the limit, and fails with
   * `SessionCorruptError`. So one request's work on a session is bounded, whoever wrote the item. Lowering it
   * makes larger stored sessions fail until they expire: lower it only once no session is that large.
   * @default 1048576 (1 MiB)
   */
  maxSessionBytes?: number;
}

/** The defaults, in one place. */
/* eslint-disable @typescript-eslint/no-unnecessary-type-assertion -- each assertion widens a default to its
   option's type, which the `as const` below would otherwise narrow to the literal */
export const SESSION_DEFAULTS = /* @__PURE__ */ Object.freeze({
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
  /** Retries of `onConflict: 'retry'`: enough for 50 requests racing on one session (BENCHMARKS.md). */
  conflictRetries: 20,
  /** The first schema version. */
  version: 1,
  /** Stored data is checked before the handler sees it. */
  validateOnLoad: true as boolean | 'always',
  /** Never a silent reset. */
  onInvalidStored: 'throw' as 'throw' | 'reset',
  /** DynamoDB answers in milliseconds; three seconds covers its retries and still fails well before most Lambda timeouts. */
  storeTimeoutMs: DEFAULT_STORE_TIMEOUT_MS,
  /** 1 MiB of JSON: bounded work per request, whatever the item compresses to. */
  maxSessionBytes: DEFAULT_MAX_SESSION_BYTES,
} as const);
/* eslint-enable @typescript-eslint/no-unnecessary-type-assertion */

/** The defaults as the resolved options hold them: a literal default stands for its whole type. */
type Widen<T> = [T] extends [number] ? number : [T] extends [boolean] ? boolean : T;

/**
 * Options with every default filled in: each option of {@link SESSION_DEFAULTS} with its type, and those whose
 * default is computed or absent.
 */
export type ResolvedSessionOptions = {
  readonly [K in Exclude<keyof typeof SESSION_DEFAULTS, 'cookie'>]: Widen<(typeof SESSION_DEFAULTS)[K]>;
} & {
  /** Seconds; by default a tenth of `ttl`. */
  readonly touchAfter: number;
  /** By default `true` with the header alone, `false` with cookies on. */
  readonly saveUninitialized: boolean;
  /** The merged cookie settings, or `undefined` when cookies are off. */
  readonly cookie: ResolvedCookie | undefined;
  /** The secret's bytes. */
  readonly idSecret: Uint8Array | undefined;
  readonly logger: SessionLogger | undefined;
  readonly migrate: SessionOptions['migrate'];
};

/** Checks one option's value; throws a `SessionConfigurationError` naming the option and what it accepts. */
type Rule<T> = (value: T, where: string) => void;

const fail = (message: string): never => {
  throw new SessionConfigurationError(message);
};

const wholeNumber =
  (unit: string): Rule<number> =>
  (value, where) => {
    if (!(Number.isSafeInteger(value) && value >= 0))
      fail(`${where} must be a whole number${unit}, 0 or more, got ${String(value)}.`);
  };

const trueOrFalse: Rule<boolean> = (value, where) => {
  if (typeof value !== 'boolean') fail(`${where} must be true or false, got ${String(value)}.`);
};

const oneOf =
  <T extends string>(...allowed: T[]): Rule<T> =>
  (value, where) => {
    if (!allowed.includes(value)) {
      fail(`${where} must be ${allowed.map((a) => `'${a}'`).join(' or ')}, got ${String(value)}.`);
    }
  };

const hasMethods =
  (what: string, ...methods: string[]): Rule<object> =>
  (value, where) => {
    if (
      typeof value !== 'object' ||
      value === null ||
      !methods.every((m) => typeof Reflect.get(value, m) === 'function')
    ) {
      fail(`${where} ${what}.`);
    }
  };

/**
 * Every option's rule, in one place; the type makes a new option without a rule a compile error. The `where`
 * a rule receives is `<adapter>: <option>` (`@Session() on Cart.add: ttl`).
 */
const RULES: { readonly [K in keyof SessionOptions]-?: Rule<NonNullable<SessionOptions[K]>> } = {
  ttl: /* @__PURE__ */ wholeNumber(' of seconds'),
  absoluteTimeout: /* @__PURE__ */ wholeNumber(' of seconds'),
  touchAfter: /* @__PURE__ */ wholeNumber(' of seconds'),
  conflictRetries: /* @__PURE__ */ wholeNumber(''),
  update: trueOrFalse,
  saveUninitialized: trueOrFalse,
  acceptClientId: trueOrFalse,
  validateOnLoad: (value, where) => {
    if (typeof value !== 'boolean' && value !== 'always')
      fail(`${where} must be true, false or 'always', got ${String(value)}.`);
  },
  onConflict: /* @__PURE__ */ oneOf('throw', 'retry'),
  onInvalidStored: /* @__PURE__ */ oneOf('throw', 'reset'),
  storeTimeoutMs: (value, where) => {
    if (!(Number.isFinite(value) && value > 0))
      fail(`${where} must be a number of milliseconds above 0, got ${String(value)}.`);
  },
  maxSessionBytes: (value, where) => {
    if (!(Number.isSafeInteger(value) && value >= 1))
      fail(`${where} must be a whole number of bytes, 1 or more, got ${String(value)}.`);
  },
  version: (value, where) => {
    if (!(Number.isSafeInteger(value) && value >= 1))
      fail(`${where} must be a whole number, 1 or more, got ${String(value)}.`);
  },
  migrate: (value, where) => {
    if (typeof value !== 'function') fail(`${where} must be a function (data, fromVersion) => data.`);
  },
  validation: (value, where) => {
    if (value !== false && (typeof value !== 'object' || value === null)) {
      fail(`${where} must be class-validator ValidatorOptions or false.`);
    }
    const { target, value: values } = (value && value.validationError) || {};
    if (target === true || values === true) {
      fail(
        `${where}.validationError: a SessionValidationError never carries the session (target) nor its values, ` +
          'so that logging it prints no session data; leave validationError out.',
      );
    }
  },
  idHeader: (value, where) => {
    if (value !== false && !(typeof value === 'string' && HEADER_NAME.test(value))) {
      fail(
        `${where} must be an HTTP header name (letters, digits, -) or false, got ${JSON.stringify(value)}.`,
      );
    }
  },
  cookie: (value, where) => {
    resolveCookie(value, where.replace(/: cookie$/, ''));
  },
  idSecret: (value, where) => {
    secretKey(value, where.replace(/: idSecret$/, ''));
  },
  logger: /* @__PURE__ */ hasMethods('must have debug, info and warn methods', 'debug', 'info', 'warn'),
  store: /* @__PURE__ */ hasMethods(
    'must implement SessionStore (load, save, touch, delete)',
    'load',
    'save',
    'touch',
    'delete',
  ),
};

/**
 * Checks options a developer wrote, once, where they are given (a decorator, a wrapper, `configureSessions()`),
 * so that a mistake fails when the handler is defined, with the option's name, rather than on a request.
 * @param where who was given the options, for the message (`withSession()`)
 */
export function parseSessionOptions<T extends SessionOptions>(options: T, where: string): T {
  for (const name of Object.keys(RULES) as (keyof SessionOptions)[]) {
    const value = options[name];
    // null, like undefined, leaves the option to the configured value or the default (as `??` resolves it).
    if (value !== undefined && value !== null) (RULES[name] as Rule<unknown>)(value, `${where}: ${name}`);
  }
  if (options.idHeader === false && options.cookie === false) {
    fail(`${where}: with idHeader: false and cookie: false no id can travel; enable one.`);
  }
  return options;
}

/**
 * Fills in the defaults: the handler's options over the configured ones over {@link SESSION_DEFAULTS}. Both
 * were parsed where they were given; what is checked here is only what combining them can break.
 */
export function resolveSessionOptions(
  configured: SessionOptions,
  handler: SessionOptions,
  where = 'the handler',
): ResolvedSessionOptions {
  const defaulted = Object.fromEntries(
    Object.entries(SESSION_DEFAULTS).map(([key, value]) => {
      const name = key as keyof typeof SESSION_DEFAULTS;
      return [key, handler[name] ?? configured[name] ?? value];
    }),
  ) as { -readonly [K in keyof typeof SESSION_DEFAULTS]: Widen<(typeof SESSION_DEFAULTS)[K]> };
  const cookie = resolveCookie(
    mergeCookie(configured.cookie, handler.cookie),
    `${where} (its cookie merged over configureSessions()'s)`,
  );
  if (defaulted.idHeader === false && cookie === undefined) {
    fail(
      `${where}: idHeader is false and cookie is off (the handler's options over configureSessions()'s), ` +
        'so no id can travel: enable one.',
    );
  }
  const secret = handler.idSecret ?? configured.idSecret;
  return {
    ...defaulted,
    touchAfter: handler.touchAfter ?? configured.touchAfter ?? Math.floor(defaulted.ttl / 10),
    saveUninitialized: handler.saveUninitialized ?? configured.saveUninitialized ?? cookie === undefined,
    cookie,
    idSecret: secret === undefined ? undefined : secretKey(secret, where),
    logger: handler.logger ?? configured.logger,
    migrate: handler.migrate ?? configured.migrate,
  };
}
