// The web app's routes, one Lambda entry routed by the HTTP API's route key, as samples/cart/api.ts. The page
// itself (samples/web/public) is static: `npm start` serves it at GET /; on AWS, from S3 behind the same domain.
import {
  type APIGatewayProxyEventV2,
  type APIGatewayProxyStructuredResultV2,
  type Context,
} from 'aws-lambda';
import { type LambdaEntry } from '../../src';
import {
  addItem,
  devices,
  logIn,
  logOut,
  removeItem,
  signOutDevice,
  signOutEverywhere,
  state,
} from './handlers';

type Route = LambdaEntry<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

const routes: Record<string, Route> = {
  'GET /app/state': state,
  'POST /app/login': logIn,
  'POST /app/logout': logOut,
  'POST /app/cart/items': addItem,
  'DELETE /app/cart/items': removeItem,
  'GET /app/devices': devices,
  'POST /app/devices/sign-out': signOutDevice,
  'POST /app/devices/sign-out-all': signOutEverywhere,
};

const error = (statusCode: number, message: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ error: message }),
});

/**
 * The web app's Lambda entry. Every request that changes something must be `Content-Type: application/json`:
 * a cross-origin page can send that type only after a CORS preflight, which this API never answers, whereas
 * a form or a `no-cors` fetch can send text/plain without asking. SameSite=Lax already keeps the cookie off
 * cross-site POSTs; this also covers same-site origins (a sibling subdomain) that Lax lets through.
 */
export async function handler(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> {
  const route = routes[event.routeKey];
  if (!route) return error(404, 'no such route');
  const type = event.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (event.requestContext.http.method !== 'GET' && type !== 'application/json') {
    return error(415, 'send the body as Content-Type: application/json');
  }
  return route(event, context);
}
