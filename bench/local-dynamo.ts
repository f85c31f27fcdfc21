import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { type AddressInfo } from 'node:net';

/** dynalite in this process, a client bound to it, and a table maker: the benchmarks' DynamoDB. */
export async function guardedClient(): Promise<{
  client: DynamoDBClient;
  /** A table keyed by `hashKey` (a string): `key` as the library's, `id` as connect-dynamodb's. */
  createTable(hashKey?: string): Promise<string>;
  /** The endpoint URL, for clients in child processes. */
  endpoint(): Promise<string>;
  close(): Promise<void>;
}> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, // = url below
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let tables = 0;
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    client,
    endpoint: () => Promise.resolve(url),
    async createTable(hashKey = 'key') {
      const TableName = `bench-${++tables}`;
      await client.send(
        new CreateTableCommand({
          TableName,
          KeySchema: [{ AttributeName: hashKey, KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: hashKey, AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      return TableName;
    },
    close: () => {
      client.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
