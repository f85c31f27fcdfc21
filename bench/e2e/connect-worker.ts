// The express way on Lambda, in a process of its own: serverless-http in front of an express app with
// express-session and connect-dynamodb 3 as its store, handling the same API Gateway v2 events as our handler
// (GET /cart, PUT /cart/lines), the session id in a signed cookie. The route hydrates the stored cart with
// plainToInstance and validates it with class-validator, validates and applies the change, as ours does.
// express-session writes a changed session (an unconditional PutItem) and touches an unchanged one
// (UpdateItem of its expiry). Run by bench/e2e/compare.ts; argv[2] is a WorkerConfig, its table one with the
// hash key `id`.
import { type APIGatewayProxyEventV2, type Context } from 'aws-lambda';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import connectDynamoDB from 'connect-dynamodb';
import express from 'express';
import session from 'express-session';
import serverless from 'serverless-http';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { applyChange, Cart, CART_SIZES, LineChange, makeCart } from './cart-data';
import { cartEvent, cartResponseBody } from './events';
import { workerMain } from './side';

declare module 'express-session' {
  interface SessionData {
    cart: object;
  }
}

workerMain(async (config, client) => {
  const cart = makeCart(CART_SIZES[config.size]);
  const Store = connectDynamoDB(session);
  const app = express();
  app.set('trust proxy', true); // API Gateway's x-forwarded-proto: https, so the Secure cookie is sent
  app.use(
    session({
      store: new Store({ client, table: config.table, initialized: true }),
      secret: 'bench-secret-of-the-express-side',
      resave: false,
      saveUninitialized: false,
      cookie: { maxAge: 3_600_000, httpOnly: true, secure: true, sameSite: 'lax' },
    }),
  );
  const load = async (stored: object | undefined) => {
    const current = plainToInstance(Cart, stored ?? {});
    return (await validate(current)).length ? undefined : current;
  };
  app.post('/fill', (req, res) => {
    req.session.cart = cart;
    res.json({});
  });
  app.get('/cart', async (req, res) => {
    const current = await load(req.session.cart);
    if (!current) return void res.status(500).end();
    res.type('application/json').send(cartResponseBody(current.total(), current.lines.length));
  });
  app.put('/cart/lines', async (req, res) => {
    const current = await load(req.session.cart);
    if (!current) return void res.status(500).end();
    // serverless-http hands the event's body over as a Buffer in req.body, which express.json() then leaves
    // alone: parsed here, as its users do.
    const body: unknown = Buffer.isBuffer(req.body) ? JSON.parse(req.body.toString('utf8')) : req.body;
    const change = plainToInstance(LineChange, body as object);
    if ((await validate(change)).length || !applyChange(current, change)) return void res.status(400).end();
    req.session.cart = current;
    res.type('application/json').send(cartResponseBody(current.total(), current.lines.length));
  });
  const handler = serverless(app) as unknown as (
    event: unknown,
    context: Context,
  ) => Promise<{
    statusCode: number;
    cookies?: string[];
    headers?: Record<string, string>;
  }>;
  const context = {} as Context;
  const fill: APIGatewayProxyEventV2 = {
    ...cartEvent('unchanged', 0, '', {}),
    rawPath: '/fill',
    requestContext: {
      ...cartEvent('unchanged', 0, '', {}).requestContext,
      http: { ...cartEvent('unchanged', 0, '', {}).requestContext.http, method: 'POST', path: '/fill' },
    },
  };
  const first = await handler(fill, context);
  const setCookie = first.cookies?.[0] ?? first.headers?.['set-cookie'];
  if (!setCookie) throw new Error(`no session cookie: ${JSON.stringify(first)}`);
  const cookie = String(setCookie).split(';')[0]!;
  const sid = decodeURIComponent(cookie.split('=')[1]!).replace(/^s:/, '').replace(/\..*$/, '');
  const sku = cart.lines[0]!.sku;
  return {
    jsonBytes: JSON.stringify(cart).length,
    invoke: (mode, i) => handler(cartEvent(mode, i, sku, { cookies: [cookie] }), context),
    storedValue: async () => {
      const { Item } = await client.send(
        new GetItemCommand({ TableName: config.table, Key: { id: { S: `sess:${sid}` } } }),
      );
      return Item!.sess!.S!;
    },
  };
});
