/**
 * Every rule of the session cookie: its settings and their defaults, the browser rules they are checked
 * against, how handler settings combine with configured ones, reading it from each event kind, the
 * `Set-Cookie` text, and where each event kind's response carries `Set-Cookie`.
 */
import { parseCookie, serialize } from 'cookie';
import { SessionConfigurationError } from '../errors';
import { type EventKind, isRecord } from './event-kind';
import { HEADER_NAME, hasHeader, readHeaderValues, removeHeader } from './headers';

/** The session cookie. Every field is optional; the defaults are the OWASP cheat sheet's. */
export interface CookieOptions {
  /**
   * The cookie's name. A `__Host-` prefix makes the browser refuse the cookie unless it is `Secure`, has
   * `Path=/` and no `Domain`, so no sibling subdomain can plant or shadow it: use it when you can.
   * @default 'session-id'
   */
  name?: string;
  /** Hidden from page scripts, so an XSS cannot read the id. @default true */
  httpOnly?: boolean;
  /** Sent over HTTPS only. Turn off only for plain-HTTP local development. @default true */
  secure?: boolean;
  /** Cross-site sending: `lax` blocks it on cross-site subrequests (CSRF), `strict` on navigation too. @default 'lax' */
  sameSite?: 'lax' | 'strict' | 'none';
  /** @default '/' */
  path?: string;
  /** Leave unset (host-only) unless subdomains must share the session. @default none */
  domain?: string;
  /** Seconds the browser keeps the cookie. @default the session's remaining lifetime (none: a browser-session cookie) */
  maxAge?: number;
}

/** The cookie defaults. */
export const COOKIE_DEFAULTS = /* @__PURE__ */ Object.freeze({
  /** Like the header. */
  name: 'session-id',
  /** Hidden from page scripts. */
  httpOnly: true,
  /** HTTPS only. */
  secure: true,
  /** Not sent on cross-site subrequests. */
  sameSite: 'lax',
  /** The whole site. */
  path: '/',
} as const);

/** Cookie settings with the defaults filled in. */
export type ResolvedCookie = Readonly<
  Required<Omit<CookieOptions, 'domain' | 'maxAge'>> & Pick<CookieOptions, 'domain' | 'maxAge'>
>;

/** The `cookie` option: on with the configured settings, off, or settings of its own. */
export type CookieSetting = boolean | CookieOptions;

/**
 * The cookie a handler gets. A handler's `cookie: true` means "cookies on, with the configured settings", and
 * a handler's object is merged field by field over the configured one: otherwise `configureSessions({ cookie:
 * { name: '__Host-session' } })` plus `@Session({ cookie: true })` would set one cookie at log-in and clear
 * another at log-out.
 */
export function mergeCookie(
  configured: CookieSetting | undefined,
  handler: CookieSetting | undefined,
): CookieSetting {
  const base = configured ?? false;
  if (handler === undefined) return base;
  if (handler === false) return false;
  const settings = typeof base === 'object' && base !== null ? base : {};
  if (handler === true) return { ...settings };
  if (typeof handler !== 'object' || handler === null) return handler; // refused with a message by resolveCookie
  const set = Object.entries(handler).filter(([, value]) => value !== undefined);
  return { ...settings, ...Object.fromEntries(set) };
}

/** The cookie settings with defaults, checked against the rules browsers enforce for prefixed names. */
export function resolveCookie(cookie: CookieSetting, where: string): ResolvedCookie | undefined {
  if (cookie === false) return undefined;
  if (cookie !== true && (typeof cookie !== 'object' || cookie === null)) {
    throw new SessionConfigurationError(`${where}: cookie must be true, false or cookie options.`);
  }
  const resolved: ResolvedCookie = { ...COOKIE_DEFAULTS, ...(cookie === true ? {} : cookie) };
  const fail = (what: string) => {
    throw new SessionConfigurationError(`${where}: cookie ${what}.`);
  };
  if (!HEADER_NAME.test(resolved.name))
    fail(`name must be a token (letters, digits, -_.), got ${JSON.stringify(resolved.name)}`);
  if (!['lax', 'strict', 'none'].includes(resolved.sameSite))
    fail(`sameSite must be 'lax', 'strict' or 'none'`);
  if (resolved.sameSite === 'none' && !resolved.secure)
    fail('sameSite: none requires secure: true (browsers refuse it otherwise)');
  if (
    resolved.name.startsWith('__Host-') &&
    (!resolved.secure || resolved.path !== '/' || resolved.domain !== undefined)
  ) {
    fail(
      `name ${resolved.name} has the __Host- prefix, which requires secure: true, path: '/' and no domain`,
    );
  }
  if (resolved.name.startsWith('__Secure-') && !resolved.secure)
    fail(`name ${resolved.name} has the __Secure- prefix, which requires secure: true`);
  if (resolved.maxAge !== undefined && !(Number.isSafeInteger(resolved.maxAge) && resolved.maxAge >= 0)) {
    fail('maxAge must be a whole number of seconds, 0 or more');
  }
  if (!/^\/[\x21-\x3A\x3C-\x7E]*$/.test(resolved.path))
    fail(`path must start with / and hold no ; or spaces`);
  if (
    resolved.domain !== undefined &&
    !/^\.?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(resolved.domain)
  ) {
    fail(`domain ${JSON.stringify(resolved.domain)} is not a host name`);
  }
  return Object.freeze(resolved);
}

/**
 * Every value the request gives cookie `name`, each once, from wherever the event kind carries cookies:
 * - HTTP API v2 and Function URL: the `cookies` array (one `name=value` per element). A Function URL repeats
 *   them in `headers.cookie`; the array is read first so that nothing counts twice.
 * - REST v1 and WebSocket: the `Cookie` header, in `headers` or `multiValueHeaders`, in any case.
 * - ALB: the `cookie` header(s) in the request's own mode (single- or multi-value).
 *
 * Every pair of the name counts, not only the first: `sid=A; sid=B` gives both, and the caller decides what
 * two different values mean (for the session id: none of them, see `readClaim()`). Malformed pairs are
 * skipped; nothing here throws.
 */
export function readCookieValues(event: unknown, name: string): string[] {
  if (!isRecord(event)) return [];
  const sources = Array.isArray(event.cookies)
    ? event.cookies.filter((c): c is string => typeof c === 'string')
    : readHeaderValues(event, 'cookie');
  const values = new Set<string>();
  for (const source of sources) {
    // One pair at a time: the parser keeps only the first pair of a name in a string.
    for (const pair of source.split(';')) {
      const value = parseCookie(pair)[name];
      if (value !== undefined) values.add(value);
    }
  }
  return [...values];
}

/**
 * The `Set-Cookie` value that gives the client `id`. The cookie lives as long as the session (`expiresAt`,
 * epoch ms) unless `maxAge` fixes its lifetime; a session that never expires gets a browser-session cookie.
 */
export function setCookieLine(cookie: ResolvedCookie, id: string, expiresAt: number | undefined): string {
  const maxAge =
    cookie.maxAge ??
    (expiresAt === undefined ? undefined : Math.max(0, Math.ceil((expiresAt - Date.now()) / 1000)));
  return serialize(cookie.name, id, { ...attributes(cookie), maxAge });
}

/** The `Set-Cookie` value that makes the browser drop the session cookie (log-out). */
export function clearCookieLine(cookie: ResolvedCookie): string {
  return serialize(cookie.name, '', { ...attributes(cookie), maxAge: 0 });
}

function attributes(cookie: ResolvedCookie) {
  return {
    httpOnly: cookie.httpOnly,
    secure: cookie.secure,
    sameSite: cookie.sameSite,
    path: cookie.path,
    domain: cookie.domain,
  };
}

/**
 * Why a response cannot carry the session's `Set-Cookie`, or `undefined` when it can: a single-value ALB
 * response carries one `Set-Cookie`, so a handler that set its own leaves no room for ours.
 */
export function setCookieProblem(response: Record<string, unknown>, kind: EventKind): string | undefined {
  if (kind !== 'alb' || !isRecord(response.headers)) return undefined;
  return hasHeader(response.headers, 'set-cookie')
    ? 'The handler set its own Set-Cookie, and a single-value ALB response can carry only one: enable ' +
        'multi-value headers on the target group, or move the session id to a header (cookie: false).'
    : undefined;
}

/**
 * Whether a response to this kind of event can give the browser a cookie. Not a WebSocket handshake: no AWS
 * documentation shows `Set-Cookie` on a `$connect` response, so none is sent, and the id cannot travel there
 * in a cookie.
 */
export function carriesSetCookie(kind: EventKind): boolean {
  return kind !== 'websocket' && kind !== 'websocket-message';
}

/** A response's header maps while they are being built: copies, so the handler's own stay untouched. */
export interface ResponseHeaders {
  headers: Record<string, unknown> | undefined;
  multiValueHeaders: Record<string, unknown> | undefined;
}

/**
 * Adds `setCookie` where the event kind's response carries cookies (`spec/fixtures/events/SOURCES.md`):
 * - HTTP API v2 and Function URL: the `cookies` array, which becomes `set-cookie` headers.
 * - REST v1: `multiValueHeaders['Set-Cookie']`, the only way to send several; a handler's `Set-Cookie` in
 *   `headers` is moved there, since `multiValueHeaders` wins for a name in both.
 * - ALB: the request's mode; a single-value ALB can send one `Set-Cookie` only.
 * - WebSocket `$connect`: nowhere (see {@link carriesSetCookie}).
 */
export function placeSetCookie(
  response: Record<string, unknown>,
  target: ResponseHeaders,
  kind: EventKind,
  setCookie: string,
): void {
  if (!carriesSetCookie(kind)) return;
  const cookieStyle =
    kind === 'http-v2' || kind === 'function-url' || (kind === 'unknown' && Array.isArray(response.cookies));
  if (cookieStyle) {
    response.cookies = [
      ...(Array.isArray(response.cookies) ? (response.cookies as unknown[]) : []),
      setCookie,
    ];
  } else if (kind === 'alb') {
    // The targets are the response's own copies: set on them (see decorate() in response.ts).
    (target.headers ??= {})['set-cookie'] = setCookie;
  } else {
    // REST v1, multi-value ALB, or an unknown source: every Set-Cookie in one multi-value list.
    const existing = [
      ...(target.headers ? removeHeader(target.headers, 'set-cookie') : []),
      ...(target.multiValueHeaders ? removeHeader(target.multiValueHeaders, 'set-cookie') : []),
    ];
    (target.multiValueHeaders ??= {})[kind === 'rest-v1' ? 'Set-Cookie' : 'set-cookie'] = [
      ...existing,
      setCookie,
    ];
  }
}
