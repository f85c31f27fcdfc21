// One Lambda function for the whole cart API, routed by the HTTP API's route key (see samples/template.yaml).
import {
  type APIGatewayProxyEventV2,
  type APIGatewayProxyStructuredResultV2,
  type Context,
} from 'aws-lambda';
import { type LambdaEntry } from '../../src';
import { addItem, clearCart, viewCart } from './handlers';

type Route = LambdaEntry<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

const routes: Record<string, Route> = {
  'POST /cart/items': addItem,
  'GET /cart': viewCart,
  'DELETE /cart': clearCart,
};

/** The Lambda entry of samples/template.yaml. */
export async function handler(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> {
  const route = routes[event.routeKey];
  return route
    ? route(event, context)
    : { statusCode: 404, headers: { 'content-type': 'application/json' }, body: '{"error":"no such route"}' };
}
