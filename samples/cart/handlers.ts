import { type APIGatewayProxyEventV2, type APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { lambdaHandler, Session, SessionData } from '../../src';
import { Cart, Item } from './cart';

type Result = APIGatewayProxyStructuredResultV2;

const json = (statusCode: number, body: unknown): Result => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const view = (cart: Cart) => ({ items: cart.items, total: cart.total() });

/**
 * The cart API: one class, three routes, one session. The class is named in `@SessionData(Cart)` so that the
 * same code runs compiled by tsc (`npm start`) and bundled by esbuild (`sam build`, CDK), which emits no
 * decorator metadata.
 */
export class CartHandler {
  /** POST /cart/items with `{ "sku": "apple", "qty": 2, "price": 150 }`. */
  @Session({ update: true, ttl: 15 * 60 })
  async addItem(event: APIGatewayProxyEventV2, @SessionData(Cart) cart: Cart): Promise<Result> {
    const item = await parseItem(event);
    if (typeof item === 'string') return json(400, { error: item });
    cart.add(item);
    return json(200, view(cart));
  }

  /** GET /cart. Read-only: `update: false` discards any change, and only slides the expiry. */
  @Session({ update: false, ttl: 15 * 60 })
  async viewCart(_event: APIGatewayProxyEventV2, @SessionData(Cart) cart: Cart): Promise<Result> {
    return json(200, view(cart));
  }

  /** DELETE /cart. */
  @Session({ update: true, ttl: 15 * 60 })
  async clearCart(_event: APIGatewayProxyEventV2, @SessionData(Cart) cart: Cart): Promise<Result> {
    cart.items = [];
    return json(200, view(cart));
  }
}

/** The request body as a valid Item, or what is wrong with it. Bad input is a 400, never a crash. */
async function parseItem(event: APIGatewayProxyEventV2): Promise<Item | string> {
  let body: unknown;
  try {
    const text = event.isBase64Encoded
      ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
      : event.body;
    body = JSON.parse(text ?? '');
  } catch {
    return 'the body must be JSON: {"sku": "apple", "qty": 1, "price": 150}';
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'the body must be a JSON object';
  const item = plainToInstance(Item, body);
  const errors = await validate(item, { whitelist: true, forbidNonWhitelisted: true });
  return errors.length ? errors.flatMap((e) => Object.values(e.constraints ?? {})).join('; ') : item;
}

const cartHandler = new CartHandler();
// The Lambda entries: one function per route, or one function behind a router. lambdaHandler() binds the
// method and types it (event, context) => Promise<Result>, without the session parameter.
export const addItem = lambdaHandler(cartHandler, 'addItem');
export const viewCart = lambdaHandler(cartHandler, 'viewCart');
export const clearCart = lambdaHandler(cartHandler, 'clearCart');
