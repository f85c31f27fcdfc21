import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The shared, real event samples; tests read them in place (see shared/fixtures/events/SOURCES.md). */
export const FIXTURES_DIR = join(__dirname, '..', '..', '..', 'shared', 'fixtures', 'events');

/** Names of every fixture event, without `.json`. */
export function fixtureNames(): string[] {
  return readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
}

/** A fresh copy of a fixture event. */
export function loadEvent(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, `${name}.json`), 'utf8')) as Record<string, unknown>;
}

/**
 * A fixture with one request header added the way its source carries headers: into `headers` when it has
 * them and into `multiValueHeaders` when it has those (REST v1 and the WebSocket have both; a multi-value ALB
 * only the latter). The name is spelled as the source spells names: lower-case for HTTP APIs, Function URLs
 * and ALBs, as the client sent it (here Title-Case) for REST and WebSocket APIs.
 */
export function eventWithHeader(name: string, header: string, value: string): Record<string, unknown> {
  const event = loadEvent(name);
  const lowerCasing =
    event.version === '2.0' || (isObject(event.requestContext) && 'elb' in event.requestContext);
  const spelled = lowerCasing ? header.toLowerCase() : titleCase(header);
  if (isObject(event.headers)) event.headers[spelled] = value;
  if (isObject(event.multiValueHeaders)) event.multiValueHeaders[spelled] = [value];
  if (!isObject(event.headers) && !isObject(event.multiValueHeaders)) event.headers = { [spelled]: value };
  return event;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function titleCase(header: string): string {
  return header.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}
