/**
 * The Lambda event sources this library knows, told apart by the fields `spec/fixtures/events/SOURCES.md`
 * lists. The kind decides where request headers are read and where response headers must go.
 */
export type EventKind =
  'rest-v1' | 'http-v2' | 'function-url' | 'alb' | 'alb-multi-value' | 'websocket' | 'unknown';

/** A non-null, non-array object; what a well-formed event or response is. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Which kind of event this is; never throws, whatever the event holds. */
export function detectEventKind(event: unknown): EventKind {
  if (!isRecord(event)) return 'unknown';
  const context = isRecord(event.requestContext) ? event.requestContext : undefined;
  if (context && isRecord(context.elb)) {
    return isRecord(event.multiValueHeaders) ? 'alb-multi-value' : 'alb';
  }
  if (context && typeof context.connectionId === 'string' && typeof context.eventType === 'string') {
    return 'websocket';
  }
  if (event.version === '2.0') {
    const domain = context && typeof context.domainName === 'string' ? context.domainName : '';
    return domain.includes('.lambda-url.') ? 'function-url' : 'http-v2';
  }
  if (typeof event.httpMethod === 'string' || isRecord(event.multiValueHeaders)) return 'rest-v1';
  return 'unknown';
}
