import { type EventKind, isRecord } from './event-kind';

/**
 * The handler's response with one header set, following the event kind's response rules. Object responses
 * and JSON-string responses (as `session-lambda` accepts) are handled; the handler's own headers are kept and
 * the response it returned is never mutated (it may be a shared constant).
 *
 * Only a response shaped like a proxy response (with `statusCode`, `headers` or `multiValueHeaders`) is
 * changed: for HTTP APIs and Function URLs any other value is the body itself, and adding a `headers` key
 * would change what the client receives.
 */
export function withResponseHeader(response: unknown, kind: EventKind, name: string, value: string): unknown {
  if (typeof response === 'string') {
    const parsed = parseJsonObject(response);
    return parsed && isProxyResponse(parsed)
      ? JSON.stringify(setHeader(parsed, kind, name, value))
      : response;
  }
  return isRecord(response) && isProxyResponse(response) ? setHeader(response, kind, name, value) : response;
}

function isProxyResponse(response: Record<string, unknown>): boolean {
  return 'statusCode' in response || isRecord(response.headers) || isRecord(response.multiValueHeaders);
}

function setHeader(
  response: Record<string, unknown>,
  kind: EventKind,
  name: string,
  value: string,
): Record<string, unknown> {
  const out = { ...response };
  const headers = isRecord(out.headers) ? withoutName(out.headers, name) : undefined;
  const multi = isRecord(out.multiValueHeaders) ? withoutName(out.multiValueHeaders, name) : undefined;
  // A multi-value ALB ignores `headers`; REST v1 lets `multiValueHeaders` win over `headers` for one name.
  if (kind === 'alb-multi-value' || (multi && !headers)) {
    out.multiValueHeaders = { ...multi, [name]: [value] };
    if (headers) out.headers = headers;
  } else {
    out.headers = { ...headers, [name]: value };
    if (multi) out.multiValueHeaders = multi;
  }
  return out;
}

/** A copy without any spelling of `name`, so the response carries the header once. */
function withoutName(headers: Record<string, unknown>, name: string): Record<string, unknown> {
  const lower = name.toLowerCase();
  return Object.fromEntries(Object.entries(headers).filter(([key]) => key.toLowerCase() !== lower));
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined; // not JSON: a plain body, returned unchanged
  }
}
