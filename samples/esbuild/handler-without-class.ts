// The same handler without `@SessionData(Cart)`: under esbuild the class cannot be known, and the module must
// fail as it loads (a deployment's smoke test, a cold start), with SessionMetadataError, not at a request.
import { type APIGatewayProxyEventV2 } from 'aws-lambda';
import { lambdaHandler, Session, SessionData } from '../../src';
import { Cart } from '../cart/cart';

class CartHandler {
  @Session({ update: true })
  async handle(_event: APIGatewayProxyEventV2, @SessionData() cart: Cart) {
    return { statusCode: 200, headers: {}, body: String(cart.total()) };
  }
}

export const handler = lambdaHandler(new CartHandler(), 'handle');
