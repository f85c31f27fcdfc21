import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { type AddressInfo } from 'node:net';

/** dynalite in this process, a client bound to it, and a table maker: the benchmarks' DynamoDB. */
export async function guardedClient(): Promise<{
  client: DynamoDBClient;
  createTable(): Promise<string>;
  close(): Promise<void>;
}> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let tables = 0;
  return {
    client,
    async createTable() {
      const TableName = `bench-${++tables}`;
      await client.send(
        new CreateTableCommand({
          TableName,
          KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }],
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
