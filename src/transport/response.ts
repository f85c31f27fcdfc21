import { SessionResponseError } from '../errors';
import { type IdChannels } from './claim';
import { carriesSetCookie, placeSetCookie, type ResponseHeaders, setCookieProblem } from './cookies';
import { type EventKind, isRecord } from './event-kind';
import { hasHeader, headerKeys } from './headers';

/** What the session adds to a response. */
export interface ResponseAdditions {
  /** A header to set (the id), replacing any spelling of the same name. */
  readonly header?: { readonly name: string; readonly value: string };
  /** A serialised `Set-Cookie` value to add beside the handler's own cookies. */
  readonly setCookie?: string;
}

/**
 * The handler's response with the session's header and cookie added, following the response rules of the
 * event kind (`spec/fixtures/events/SOURCES.md`): headers in `multiValueHeaders` for a multi-value ALB (and
 * REST v1 responses that only have those), in `headers` otherwise; `Set-Cookie` where `placeSetCookie()` says;
 * and `Cache-Control: no-store` unless the handler set its own, so no cache keeps or replays the id.
 *
 * The handler's own headers and cookies are kept, and the response it returned is never mutated (it may be a
 * shared constant). Only a response AWS reads as a response is changed (see `isProxyResponse()`): anything else
 * is the body itself, and goes out exactly as the handler returned it.
 */
export function decorateResponse(response: unknown, kind: EventKind, additions: ResponseAdditions): unknown {
  if (!additions.header && !additions.setCookie) return response;
  return finishResponse(prepareResponse(response, kind, additions.setCookie !== undefined), additions);
}

/** A handler's response, parsed and checked once, waiting for the session's additions. */
export interface PreparedResponse {
  readonly original: unknown;
  readonly kind: EventKind;
  /** The proxy-shaped object to add to; `undefined` when the response is a bare body and stays as it is. */
  readonly shaped: Record<string, unknown> | undefined;
  /** Whether the response was JSON text (as `session-lambda` accepts), to be returned as text again. */
  readonly wasText: boolean;
}

/**
 * Parses and checks the response once. The engine prepares it before it writes anything, so a response that
 * cannot carry the id (`SessionResponseError`) does not leave a session behind.
 */
export function prepareResponse(response: unknown, kind: EventKind, setsCookie: boolean): PreparedResponse {
  const wasText = typeof response === 'string';
  const parsed = wasText ? parseJsonObject(response) : response;
  const shaped = isRecord(parsed) && isProxyResponse(parsed, kind, wasText) ? parsed : undefined;
  const problem = shaped && responseProblem(shaped, kind, setsCookie);
  if (problem) throw new SessionResponseError(problem);
  return { original: response, kind, shaped, wasText };
}

/**
 * Why the prepared response cannot take the id back to the client on any of `channels`, or `undefined` when it
 * can: it must be a response AWS reads as one (not a bare body), on a channel it carries (a WebSocket handshake
 * carries the header, never a cookie). The engine writes no new session whose id cannot reach the client.
 */
export function idCarriageProblem(prepared: PreparedResponse, channels: IdChannels): string | undefined {
  const { kind, shaped } = prepared;
  if (!shaped) {
    if (kind === 'http-v2' || kind === 'function-url') {
      return 'an HTTP API (payload 2.0) or Function URL sends a result without a numeric statusCode as the body';
    }
    if (kind === 'websocket-message') return 'a WebSocket event after $connect gets no HTTP response';
    return 'the result is not a response object (statusCode, headers, body)';
  }
  if (channels.header !== undefined || (channels.cookie && carriesSetCookie(kind))) return undefined;
  return 'a WebSocket $connect response carries no Set-Cookie, and the request sent no id header';
}

/** The prepared response with the session's header and cookie added. */
export function finishResponse(prepared: PreparedResponse, additions: ResponseAdditions): unknown {
  const { original, kind, shaped, wasText } = prepared;
  if (!shaped || (!additions.header && !additions.setCookie)) return original;
  const out = decorate(shaped, kind, additions);
  return wasText ? JSON.stringify(out) : out;
}

/** Why a proxy-shaped response cannot carry what the session adds, or `undefined` when it can. */
function responseProblem(
  shaped: Record<string, unknown>,
  kind: EventKind,
  setsCookie: boolean,
): string | undefined {
  const bad = (field: string, want: string) =>
    `The handler's response has "${field}" of type ${Array.isArray(shaped[field]) ? 'array' : typeof shaped[field]}, ` +
    `not ${want}: the session id cannot be added. Return ${field} as ${want}.`;
  for (const field of ['headers', 'multiValueHeaders'] as const) {
    if (shaped[field] !== undefined && shaped[field] !== null && !isRecord(shaped[field])) {
      return bad(field, 'an object');
    }
  }
  if (shaped.cookies !== undefined && shaped.cookies !== null && !Array.isArray(shaped.cookies)) {
    return bad('cookies', 'an array of strings');
  }
  return setsCookie ? setCookieProblem(shaped, kind) : undefined;
}

/**
 * Whether AWS reads the handler's result as a response, rather than send it as the body. HTTP APIs (payload 2.0)
 * and Function URLs infer the response: a result that is not an object with a `statusCode` (a string, JSON text
 * included, or `{ subject, headers }`) is the body, sent with status 200 (API Gateway Developer Guide, "Lambda
 * function response for format 2.0"; Lambda Developer Guide, function URLs, "Response payload format").
 * Adding our headers there would put the id in the body. A WebSocket event after `$connect` gets no HTTP
 * response at all. REST APIs and ALBs infer nothing (a result that is no response is an error): there, as for
 * events of no known source, an object with a status or header fields, or JSON text of one, is a response.
 */
function isProxyResponse(response: Record<string, unknown>, kind: EventKind, wasText: boolean): boolean {
  if (kind === 'http-v2' || kind === 'function-url')
    return !wasText && typeof response.statusCode === 'number';
  if (kind === 'websocket-message') return false;
  return (
    'statusCode' in response ||
    isRecord(response.headers) ||
    isRecord(response.multiValueHeaders) ||
    Array.isArray(response.cookies)
  );
}

function decorate(
  response: Record<string, unknown>,
  kind: EventKind,
  { header, setCookie }: ResponseAdditions,
): Record<string, unknown> {
  // Copies made with Object.assign() onto a new literal, never a spread: V8 gives a spread's copy a map with no
  // transitions, so each key then added builds a new one (1.5 to 2 µs per key in Node 20, most of the response's
  // cost). Each header object copied once, leaving out the handler's spellings of the id header (the client must
  // see ours, once); what the session adds is set on the copies. No `delete`, which turns an object into a slower
  // dictionary.
  const out = Object.assign({}, response);
  const target: ResponseHeaders = {
    headers: isRecord(out.headers) ? copyWithout(out.headers, header?.name) : undefined,
    multiValueHeaders: isRecord(out.multiValueHeaders)
      ? copyWithout(out.multiValueHeaders, header?.name)
      : undefined,
  };
  // A multi-value ALB reads only `multiValueHeaders`; REST v1 lets them win over `headers`.
  const useMulti =
    kind === 'alb-multi-value' || (target.multiValueHeaders !== undefined && target.headers === undefined);

  if (header) {
    if (useMulti) (target.multiValueHeaders ??= {})[header.name] = [header.value];
    else (target.headers ??= {})[header.name] = header.value;
  }
  if (setCookie) placeSetCookie(out, target, kind, setCookie);
  if (header || (setCookie && carriesSetCookie(kind))) noStore(target, useMulti);

  if (target.headers) out.headers = target.headers;
  if (target.multiValueHeaders) out.multiValueHeaders = target.multiValueHeaders;
  return out;
}

/** A copy of `headers` without any spelling of `name` (a plain copy when there is no name). */
function copyWithout(headers: Record<string, unknown>, name: string | undefined): Record<string, unknown> {
  if (name === undefined || !hasHeader(headers, name)) return Object.assign({}, headers);
  const lower = name.toLowerCase();
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(headers)) {
    if (key.length !== lower.length || key.toLowerCase() !== lower) copy[key] = headers[key];
  }
  return copy;
}

/**
 * A response that carries the id is not to be kept by a cache (OWASP Session Management Cheat Sheet): a shared
 * cache would hand one user's id to the next. The handler's own `Cache-Control`, in any spelling, wins, but
 * never as a shared cache's: where it lets one keep the response (no `private`, no `no-store`), `public` and
 * `s-maxage` are dropped and `private` added, so a browser may still keep the page and a CDN may not.
 */
function noStore(target: ResponseHeaders, useMulti: boolean): void {
  let own = false;
  for (const headers of [target.headers, target.multiValueHeaders]) {
    if (!headers) continue;
    for (const key of headerKeys(headers, CACHE_CONTROL)) {
      const value = headers[key];
      headers[key] = Array.isArray(value) ? value.map(privateOnly) : privateOnly(value);
      own = true;
    }
  }
  if (own) return;
  // The targets are the response's own copies (see decorate): set on them, not copied again.
  if (useMulti) (target.multiValueHeaders ??= {})[CACHE_CONTROL] = ['no-store'];
  else (target.headers ??= {})[CACHE_CONTROL] = 'no-store';
}

const CACHE_CONTROL = 'Cache-Control';

/** A `Cache-Control` value that no shared cache may act on (a value that is no string is left as it is). */
function privateOnly(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const directives = value
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  const named = (d: string) => d.split('=')[0]!.trim().toLowerCase();
  if (directives.some((d) => named(d) === 'private' || named(d) === 'no-store')) return value;
  return ['private', ...directives.filter((d) => named(d) !== 'public' && named(d) !== 's-maxage')].join(
    ', ',
  );
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined; // not JSON: a plain body, returned unchanged
  }
}
