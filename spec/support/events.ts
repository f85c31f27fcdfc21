import { type APIGatewayProxyEventV2 } from 'aws-lambda';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import httpApiFixture from '../fixtures/events/apigw-http-v2.json';

/** Real event samples, copied into the repository with their sources and licences (spec/fixtures/events/SOURCES.md). */
export const FIXTURES_DIR = join(__dirname, '..', 'fixtures', 'events');

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
 * The HTTP API (v2) fixture as a typed event (the compiler checks the JSON against `APIGatewayProxyEventV2`),
 * with `headers` as its request headers.
 */
export function httpApiEvent(headers: Record<string, string> = {}): APIGatewayProxyEventV2 {
  const event: APIGatewayProxyEventV2 = structuredClone(httpApiFixture);
  return { ...event, headers };
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

/**
 * A fixture carrying one more cookie, the way its source carries cookies: the `cookies` array for HTTP API
 * v2 and Function URLs (which also repeat them in `headers.cookie`), the `Cookie` header for REST v1 and
 * WebSocket (both `headers` and `multiValueHeaders`), and for ALBs the `cookie` header in the event's mode.
 */
export function eventWithCookie(name: string, cookie: string, value: string): Record<string, unknown> {
  const event = loadEvent(name);
  const pair = `${cookie}=${value}`;
  const join = (existing: unknown) =>
    typeof existing === 'string' && existing ? `${existing}; ${pair}` : pair;
  if (event.version === '2.0') {
    event.cookies = [...(Array.isArray(event.cookies) ? event.cookies : []), pair];
    if (isObject(event.headers) && 'cookie' in event.headers)
      event.headers.cookie = join(event.headers.cookie);
    return event;
  }
  const isAlb = isObject(event.requestContext) && 'elb' in event.requestContext;
  const headerName = isAlb ? 'cookie' : 'Cookie';
  if (isObject(event.multiValueHeaders)) {
    const key = Object.keys(event.multiValueHeaders).find((k) => k.toLowerCase() === 'cookie') ?? headerName;
    const values = (event.multiValueHeaders[key] as string[] | undefined) ?? [];
    // A multi-value ALB lists each Cookie header; REST v1 folds them into one.
    event.multiValueHeaders[key] = isAlb ? [...values, pair] : [join(values[0])];
  }
  if (isObject(event.headers)) {
    const key = Object.keys(event.headers).find((k) => k.toLowerCase() === 'cookie') ?? headerName;
    event.headers[key] = join(event.headers[key]);
  }
  return event;
}

/** The `Set-Cookie` values of a response, wherever its kind puts them. */
export function setCookies(response: unknown): string[] {
  if (!isObject(response)) return [];
  const found: string[] = [];
  if (Array.isArray(response.cookies)) found.push(...(response.cookies as string[]));
  for (const source of [response.headers, response.multiValueHeaders]) {
    if (!isObject(source)) continue;
    for (const [key, value] of Object.entries(source)) {
      if (key.toLowerCase() !== 'set-cookie') continue;
      found.push(...(Array.isArray(value) ? (value as string[]) : [value as string]));
    }
  }
  return found;
}

/** The value our cookie was set to in a response, or undefined. */
export function cookieValue(response: unknown, name: string): string | undefined {
  const line = setCookies(response).find((c) => c.startsWith(`${name}=`));
  return line?.slice(name.length + 1).split(';')[0];
}
