// The cart handler as CDK's NodejsFunction and SAM build it: bundled by esbuild, which emits no decorator
// metadata. `@SessionData(Cart)` names the class, so it works anyway.
import { type APIGatewayProxyEventV2 } from 'aws-lambda';
import { lambdaHandler, Session, SessionData } from '../../src';
import { Cart, Item } from '../cart/cart';

class CartHandler {
  @Session({ update: true })
  async handle(event: APIGatewayProxyEventV2, @SessionData(Cart) cart: Cart) {
    cart.add(Object.assign(new Item(), { sku: event.rawPath?.slice(1) || 'apple', qty: 1, price: 100 }));
    return {
      statusCode: 200,
      headers: {},
      body: JSON.stringify({ lines: cart.items.length, total: cart.total() }),
    };
  }
}

export const handler = lambdaHandler(new CartHandler(), 'handle');
