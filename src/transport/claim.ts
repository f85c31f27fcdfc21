/**
 * The session id's way in and out of an invocation: which id a request claims, and what the response adds to
 * carry the id back (or to clear it).
 */
import { type ResolvedSessionOptions } from '../options';
import { isUsableId } from '../session-id';
import { clearCookieLine, readCookieValues, type ResolvedCookie, setCookieLine } from './cookies';
import { readHeaderValues } from './headers';
import { type ResponseAdditions } from './response';

/** The id a request carried, and how. */
export interface Claim {
  readonly id: string;
  readonly via: 'header' | 'cookie';
}

/**
 * The one id the request carries, from the header (API clients) or the cookie; the only place that reads it.
 * A request that carries two different ids claims none, and gets a new session: which one it meant is not ours
 * to guess, and taking either would let whoever added the other choose the session. That is two values of the
 * header (in `headers`, `multiValueHeaders` or under two spellings), two values of the cookie (`sid=A; sid=B`,
 * or two entries of `cookies`), or a header id beside a different cookie id: a made-up header would otherwise
 * replace the browser's cookie session and come back in a header page scripts can read. The same id sent twice
 * is one. An id of the wrong shape is no id: it is never looked up, and never echoed back.
 */
export function readClaim(event: unknown, options: ResolvedSessionOptions): Claim | undefined {
  const headers = options.idHeader === false ? [] : readHeaderValues(event, options.idHeader);
  const cookies = options.cookie ? readCookieValues(event, options.cookie.name) : [];
  if (headers.length > 1 || cookies.length > 1) return ambiguous(options, headers.length, cookies.length);
  const [header] = headers;
  const [cookie] = cookies;
  const fromHeader = header !== undefined && isUsableId(header, options.acceptClientId);
  const fromCookie = cookie !== undefined && isUsableId(cookie, options.acceptClientId);
  if (fromHeader && fromCookie && header !== cookie) return ambiguous(options, 1, 1);
  if (fromHeader) return { id: header, via: 'header' };
  if (fromCookie) return { id: cookie, via: 'cookie' };
  const malformed = header ?? cookie;
  if (malformed !== undefined) {
    options.logger?.debug('lambda-sessions: malformed session id ignored', { length: malformed.length });
  }
  return undefined;
}

/** No claim, for a request that carried several different ids; the log says how many, never which. */
function ambiguous(options: ResolvedSessionOptions, headers: number, cookies: number): undefined {
  options.logger?.debug('lambda-sessions: several different session ids, none taken', { headers, cookies });
  return undefined;
}

/**
 * The ways the id goes back to the client, known before the handler's outcome: in `Set-Cookie` when cookies
 * are on, and in the header when cookies are off or the client sent the header (a header in every response
 * would let a page script read an id that `HttpOnly` hides).
 */
export interface IdChannels {
  /** The response header that carries the id, if one does. */
  readonly header: string | undefined;
  /** The cookie that carries the id, if cookies are on. */
  readonly cookie: ResolvedCookie | undefined;
}

/** The {@link IdChannels} of a request that claimed `claim`. */
export function idChannels(options: ResolvedSessionOptions, claim: Claim | undefined): IdChannels {
  const { cookie, idHeader } = options;
  const header = idHeader !== false && (!cookie || claim?.via === 'header') ? idHeader : undefined;
  return { header, cookie };
}

/** How the session ended its invocation, as far as the response is concerned. */
export type Outcome =
  | { readonly destroyed: true }
  | {
      readonly destroyed: false;
      /** The id the client holds from now on. */
      readonly id: string;
      /** When the session dies unless used again, epoch ms; `undefined` when it never expires. */
      readonly expiresAt: number | undefined;
    };

/**
 * What goes into the response: the id on its {@link idChannels}. A destroyed session sends no id and clears
 * the cookie.
 */
export function responseAdditions(
  options: ResolvedSessionOptions,
  claim: Claim | undefined,
  outcome: Outcome,
): ResponseAdditions {
  const { header, cookie } = idChannels(options, claim);
  if (outcome.destroyed) return cookie ? { setCookie: clearCookieLine(cookie) } : {};
  return {
    header: header === undefined ? undefined : { name: header, value: outcome.id },
    setCookie: cookie ? setCookieLine(cookie, outcome.id, outcome.expiresAt) : undefined,
  };
}
