// Our side: the same handler as raw-worker.ts written with @Session() and @SessionData(Cart), on the same
// client and table, in a process of its own. The decorator path turns on no AsyncLocalStorage (no
// `ambient: true`). The library does the id, the load, hydrate, validate, the change check and the
// conditional write; the handler validates and applies the request's change, as the raw one does.
// Run by bench/e2e/compare.ts; argv[2] is a WorkerConfig.
import { type APIGatewayProxyEventV2, type APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { configureSessions, hashSessionId, lambdaHandler, Session, SessionData } from '../../src';
import { fakeContext } from '../../spec/support/lambda';
import { applyChange, Cart, CART_SIZES, LineChange, makeCart } from './cart-data';
import { cartEvent, cartResponseBody } from './events';
import { workerMain } from './side';

workerMain(async (config, client) => {
  configureSessions({ tableName: config.table, client });
  const cart = makeCart(CART_SIZES[config.size]);

  class CartHandler {
    // Section 4 carries the id in a cookie, as express-session does; section 2 in the header.
    @Session({
      update: true,
      ttl: 3600,
      ...(config.cookie ? { cookie: true, idHeader: false as const } : {}),
    })
    async handle(
      event: APIGatewayProxyEventV2,
      @SessionData(Cart) session: Cart,
    ): Promise<APIGatewayProxyStructuredResultV2> {
      if (event.body === 'fill')
        session.lines = cart.lines; // the set-up invocation only
      else if (event.body) {
        const change = plainToInstance(LineChange, JSON.parse(event.body) as object);
        if ((await validate(change)).length || !applyChange(session, change)) return { statusCode: 400 };
      }
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
        body: cartResponseBody(session.total(), session.lines.length),
      };
    }
  }
  const entry = lambdaHandler(new CartHandler(), 'handle');
  const context = fakeContext();
  const first = (await entry({ ...cartEvent('unchanged', 0, '', {}), body: 'fill' }, context)) as {
    headers?: Record<string, string>;
    cookies?: string[];
  };
  const cookie = first.cookies?.[0]?.split(';')[0];
  const id = config.cookie ? decodeURIComponent(cookie!.split('=')[1]!) : first.headers!['session-id']!;
  const carry = config.cookie ? { cookies: [cookie!] } : { headers: { 'session-id': id } };
  const sku = cart.lines[0]!.sku;
  return {
    jsonBytes: JSON.stringify(cart).length,
    invoke: (mode, i) => entry(cartEvent(mode, i, sku, carry), context) as Promise<{ statusCode: number }>,
    storedValue: async () => {
      // The stored bytes as DynamoDB holds them: the item's value attribute, text or Binary.
      const { Item } = await client.send(
        new GetItemCommand({ TableName: config.table, Key: { key: { S: hashSessionId(id) } } }),
      );
      return Item!.value!.S ?? Item!.value!.B!;
    },
  };
});
