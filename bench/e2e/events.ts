// API Gateway HTTP API (v2) events for the end-to-end benchmarks, built on the real event in
// spec/fixtures/events/apigw-http-v2.json: GET /cart (the cart read, nothing changed) and PUT /cart/lines (one
// line's quantity set). Imports nothing of lambda-sessions.
import { type APIGatewayProxyEventV2 } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Mode } from './side';

const FIXTURE = join(__dirname, '..', '..', '..', 'spec', 'fixtures', 'events', 'apigw-http-v2.json');
const base = JSON.parse(readFileSync(FIXTURE, 'utf8')) as APIGatewayProxyEventV2;

/**
 * The event of invocation `i`: unchanged, a GET; changed, a PUT of `{ sku, qty }` whose quantity alternates
 * 2, 1, 2, ... so that every one changes the cart. `headers` and `cookies` carry the session id.
 */
export function cartEvent(
  mode: Mode,
  i: number,
  sku: string,
  carry: { headers?: Record<string, string>; cookies?: string[] },
): APIGatewayProxyEventV2 {
  const changed = mode === 'changed';
  const body = changed ? JSON.stringify({ sku, qty: i % 2 ? 1 : 2 }) : undefined;
  const path = changed ? '/cart/lines' : '/cart';
  return {
    ...base,
    routeKey: `${changed ? 'PUT' : 'GET'} ${path}`,
    rawPath: path,
    cookies: [...(base.cookies ?? []), ...(carry.cookies ?? [])],
    headers: {
      ...base.headers,
      ...(changed ? { 'content-type': 'application/json', 'content-length': String(body!.length) } : {}),
      ...carry.headers,
    },
    requestContext: {
      ...base.requestContext,
      http: { ...base.requestContext.http, method: changed ? 'PUT' : 'GET', path },
    },
    body,
    isBase64Encoded: false,
  };
}

/** The handlers' response: the cart's total and line count, as JSON. */
export const cartResponseBody = (total: number, lines: number) => JSON.stringify({ total, lines });
