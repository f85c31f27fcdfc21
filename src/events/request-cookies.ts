import { parseCookie } from 'cookie';
import { isRecord } from './event-kind';
import { readHeaderValues } from './request-headers';

/**
 * The value of a request cookie, from wherever the event kind carries cookies:
 * - HTTP API v2 and Function URL: the `cookies` array (one `name=value` per element). A Function URL repeats
 *   them in `headers.cookie`; the array is read first so that nothing counts twice.
 * - REST v1 and WebSocket: the `Cookie` header, in `headers` or `multiValueHeaders`, in any case.
 * - ALB: the `cookie` header(s) in the request's own mode (single- or multi-value).
 *
 * Several cookies of one name (set for different paths) resolve to the first, as browsers send the most
 * specific path first. Malformed pairs are skipped; nothing here throws.
 */
export function readCookie(event: unknown, name: string): string | undefined {
  if (!isRecord(event)) return undefined;
  const sources = Array.isArray(event.cookies)
    ? event.cookies.filter((c): c is string => typeof c === 'string')
    : readHeaderValues(event, 'cookie');
  for (const source of sources) {
    const value = parseCookie(source)[name];
    if (value !== undefined) return value;
  }
  return undefined;
}
