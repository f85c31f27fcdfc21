/**
 * The Lambda event sources this library knows, told apart by the fields `spec/fixtures/events/SOURCES.md`
 * lists. The kind decides where request headers are read and where response headers must go. `websocket` is
 * the `$connect` handshake; `websocket-message` any later WebSocket event (a message, the disconnect), which
 * carries no request headers and gets no HTTP response.
 */
export type EventKind =
  | 'rest-v1'
  | 'http-v2'
  | 'function-url'
  | 'alb'
  | 'alb-multi-value'
  | 'websocket'
  | 'websocket-message'
  | 'unknown';

/** A non-null, non-array object; what a well-formed event or response is. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Which kind of event this is; never throws, whatever the event holds. */
export function detectEventKind(event: unknown): EventKind {
  if (!isRecord(event)) return 'unknown';
  const requestContext = isRecord(event.requestContext) ? event.requestContext : undefined;
  if (requestContext && isRecord(requestContext.elb)) {
    return isRecord(event.multiValueHeaders) ? 'alb-multi-value' : 'alb';
  }
  if (
    requestContext &&
    typeof requestContext.connectionId === 'string' &&
    typeof requestContext.eventType === 'string'
  ) {
    return requestContext.eventType === 'CONNECT' ? 'websocket' : 'websocket-message';
  }
  if (event.version === '2.0') {
    const domain =
      requestContext && typeof requestContext.domainName === 'string' ? requestContext.domainName : '';
    return domain.includes('.lambda-url.') ? 'function-url' : 'http-v2';
  }
  if (typeof event.httpMethod === 'string' || isRecord(event.multiValueHeaders)) return 'rest-v1';
  return 'unknown';
}
