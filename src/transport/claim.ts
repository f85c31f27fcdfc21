/**
 * The session id's way in and out of an invocation: which id a request claims, and what the response adds to
 * carry the id back (or to clear it).
 */
import { type ResolvedSessionOptions } from '../options';
import { isUsableId } from '../session-id';
import { clearCookieLine, readCookie, type ResolvedCookie, setCookieLine } from './cookies';
import { readSingleHeader } from './headers';
import { type ResponseAdditions } from './response';

/** The id a request carried, and how. */
export interface Claim {
  readonly id: string;
  readonly via: 'header' | 'cookie';
}

/**
 * The id the request carries: the header first (API clients), then the cookie. An id of the wrong shape is
 * no id: it is never looked up, and never echoed back.
 */
export function readClaim(event: unknown, options: ResolvedSessionOptions): Claim | undefined {
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
