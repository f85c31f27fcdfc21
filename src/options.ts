import { type ValidatorOptions } from 'class-validator';
import { SessionConfigurationError } from './errors';
import { type SessionStore } from './stores/session-store';

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
  /** The request and response header carrying the id; read without regard to case. @default 'session-id' */
  idHeader?: string;
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
  ttl: 7_200,
  absoluteTimeout: 43_200,
  update: false,
  idHeader: 'session-id',
  acceptClientId: false,
  validation: {} as ValidatorOptions | false,
} as const);

/** Options with every default filled in. */
export interface ResolvedSessionOptions {
  readonly ttl: number;
  readonly absoluteTimeout: number;
  readonly update: boolean;
  readonly idHeader: string;
  readonly acceptClientId: boolean;
  readonly touchAfter: number;
  readonly validation: ValidatorOptions | false;
}

/** An HTTP field name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Checks options a developer wrote, so that a mistake fails when the handler is defined, with the option's
 * name, rather than on a request.
 */
export function checkSessionOptions(options: SessionOptions, where: string): void {
  for (const field of ['ttl', 'absoluteTimeout', 'touchAfter'] as const) {
    const value = options[field];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new SessionConfigurationError(
        `${where}: ${field} must be a whole number of seconds, 0 or more, got ${String(value)}.`,
      );
    }
  }
  for (const field of ['update', 'acceptClientId'] as const) {
    const value = options[field];
    if (value !== undefined && typeof value !== 'boolean') {
      throw new SessionConfigurationError(`${where}: ${field} must be true or false, got ${String(value)}.`);
    }
  }
  if (options.idHeader !== undefined && !HEADER_NAME.test(options.idHeader)) {
    throw new SessionConfigurationError(
      `${where}: idHeader must be an HTTP header name (letters, digits, -), got ${JSON.stringify(options.idHeader)}.`,
    );
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
  return {
    ttl,
    absoluteTimeout: pick('absoluteTimeout'),
    update: pick('update'),
    idHeader: pick('idHeader'),
    acceptClientId: pick('acceptClientId'),
    touchAfter: own.touchAfter ?? global.touchAfter ?? Math.floor(ttl / 10),
    validation: own.validation ?? global.validation ?? SESSION_DEFAULTS.validation,
  };
}
