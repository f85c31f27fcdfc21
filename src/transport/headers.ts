import { isRecord } from './event-kind';

/**
 * Every value of a request header across the shapes events carry headers in: `headers` (REST v1, HTTP API v2,
 * Function URL, single-value ALB) and `multiValueHeaders` (REST v1, multi-value ALB). Names are matched without
 * regard to case: HTTP APIs and ALBs lower-case them, REST APIs keep the client's case, and a client may send
 * both `Session-Id` and `session-id`. Each value is given once (REST v1 repeats `headers` in `multiValueHeaders`);
 * values that are not strings (hostile or malformed events) are ignored.
 */
export function readHeaderValues(event: unknown, name: string): string[] {
  if (!isRecord(event)) return [];
  const wanted = name.toLowerCase();
  const values = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value === 'string') values.add(value.trim());
  };
  for (const source of [event.headers, event.multiValueHeaders]) {
    if (!isRecord(source)) continue;
    for (const key of Object.keys(source)) {
      if (!sameName(key, wanted)) continue;
      const value = source[key];
      if (Array.isArray(value)) value.forEach(add);
      else add(value);
    }
  }
  return [...values];
}

/**
 * Whether header name `key` is `lower` (a lower-cased name) in any case. The length decides most names of an
 * event's dozen or more headers without lower-casing them (a new string each): lower-casing never changes the
 * length of the ASCII a header name is, and a non-ASCII one whose length it would change matches no name of
 * ours.
 */
function sameName(key: string, lower: string): boolean {
  return key.length === lower.length && key.toLowerCase() === lower;
}

/** An HTTP field name (RFC 9110 token); also what a cookie name must be. */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Whether `headers` has `name` under any spelling. */
export function hasHeader(headers: Record<string, unknown>, name: string): boolean {
  return headerKeys(headers, name).length > 0;
}

/** Every spelling of `name` that `headers` holds (a handler may set `Cache-Control` and `cache-control`). */
export function headerKeys(headers: Record<string, unknown>, name: string): string[] {
  const lower = name.toLowerCase();
  return Object.keys(headers).filter((key) => sameName(key, lower));
}

/** Deletes every spelling of response header `name` from `headers` and returns their string values. */
export function removeHeader(headers: Record<string, unknown>, name: string): string[] {
  const lower = name.toLowerCase();
  const values: string[] = [];
  for (const key of Object.keys(headers)) {
    if (!sameName(key, lower)) continue;
    const value = headers[key];
    for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string') values.push(v);
    delete headers[key];
  }
  return values;
}
