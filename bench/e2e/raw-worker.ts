// The raw side: what a correct hand-written handler does without lambda-sessions, in a process that never
// loads the library (so none of its hooks or modules are here). Per invocation: the id from the header,
// hashed; a strongly consistent GetItem (DynamoDBDocumentClient); plainToInstance and class-validator's
// validate() of the stored cart; the request's change validated and applied; and, only when the cart's JSON
// differs from what was read, a PutItem conditional on the version read (optimistic locking), with the
// times and the TTL attribute a session item needs. The JSON is stored as text (up to DynamoDB's 400 KB).
// Run by bench/e2e/compare.ts; argv[2] is a WorkerConfig.
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type APIGatewayProxyEventV2, type APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { createHash, randomBytes } from 'node:crypto';
import { applyChange, Cart, CART_SIZES, LineChange, makeCart } from './cart-data';
import { cartEvent, cartResponseBody } from './events';
import { workerMain } from './side';

const TTL_SECONDS = 3600;

workerMain(async (config, client) => {
  const doc = DynamoDBDocumentClient.from(client);
  const TableName = config.table;
  const keyOf = (id: string) => createHash('sha256').update(id).digest('base64url');

  async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
    const id = event.headers['session-id'];
    if (!id) return { statusCode: 401 };
    const key = keyOf(id);
    const { Item } = await doc.send(new GetCommand({ TableName, Key: { key }, ConsistentRead: true }));
    if (!Item) return { statusCode: 404 };
    const stored = Item.value as string;
    const cart = plainToInstance(Cart, JSON.parse(stored) as object);
    if ((await validate(cart)).length) return { statusCode: 500, body: 'stored cart invalid' };
    if (event.body) {
      const change = plainToInstance(LineChange, JSON.parse(event.body) as object);
      if ((await validate(change)).length || !applyChange(cart, change)) return { statusCode: 400 };
    }
    const json = JSON.stringify(cart);
    if (json !== stored) {
      const now = Date.now();
      await doc.send(
        new PutCommand({
          TableName,
          Item: {
            key,
            value: json,
            version: (Item.version as number) + 1,
            createdAt: Item.createdAt as number,
            updatedAt: now,
            ttl: Math.ceil(now / 1000) + TTL_SECONDS,
          },
          ConditionExpression: '#v = :v',
          ExpressionAttributeNames: { '#v': 'version' },
          ExpressionAttributeValues: { ':v': Item.version as number },
        }),
      );
    }
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json', 'session-id': id },
      body: cartResponseBody(cart.total(), cart.lines.length),
    };
  }

  const cart = makeCart(CART_SIZES[config.size]);
  const id = randomBytes(32).toString('base64url');
  const value = JSON.stringify(cart);
  const now = Date.now();
  await doc.send(
    new PutCommand({
      TableName,
      Item: {
        key: keyOf(id),
        value,
        version: 1,
        createdAt: now,
        updatedAt: now,
        ttl: Math.ceil(now / 1000) + 3600,
      },
    }),
  );
  const sku = cart.lines[0]!.sku;
  return {
    jsonBytes: value.length,
    invoke: (mode, i) => handler(cartEvent(mode, i, sku, { headers: { 'session-id': id } })),
    storedValue: async () =>
      (await doc.send(new GetCommand({ TableName, Key: { key: keyOf(id) } }))).Item!.value as string,
  };
});
