import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { type AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { configureSessions, DynamoDBSessionStore } from '../../src';
import { type EngineStore } from './engine-store';

/** A local DynamoDB (dynalite in this process, or moto_server beside it), and a client bound to it. */
export interface LocalDynamo {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** The DynamoDB operations the client has sent, in order (`GetItem`, `PutItem`, ...). */
  readonly requests: string[];
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Starts dynalite in memory on a free loopback port. */
export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return localDynamo(
    `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  );
}

/**
 * A guarded client for a local DynamoDB at `endpoint` that records the operations it sends; `stop` ends the
 * server once the client is destroyed.
 */
export function localDynamo(endpoint: string, stop: () => Promise<void>): LocalDynamo {
  const client = guardedClient(endpoint);
  const requests: string[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      requests.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  return {
    endpoint,
    client,
    requests,
    close: () => {
      client.destroy();
      return stop();
    },
  };
}

/** A client for `endpoint` that refuses, before sending, any request that would leave this machine. */
export function guardedClient(endpoint: string): DynamoDBClient {
  return withLoopbackGuard(
    new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
  );
}

/** Makes `client` refuse, before sending, any request that would leave this machine. */
export function withLoopbackGuard(client: DynamoDBClient): DynamoDBClient {
  client.middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { hostname?: string };
      if (!LOOPBACK.has(request.hostname ?? '')) {
        throw new Error(`Test guard: refusing a DynamoDB request to ${String(request.hostname)}`);
      }
      return next(args);
    },
    { step: 'finalizeRequest', name: 'loopbackGuard' },
  );
  return client;
}

let tableCounter = 0;

/**
 * Creates a session table (on-demand, string hash key, and the owner index the README's layout has) with a
 * fresh name, and returns the name.
 */
export async function createSessionTable(client: DynamoDBClient, keyName = 'key'): Promise<string> {
  const tableName = `sessions-${process.pid}-${++tableCounter}`;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [{ AttributeName: keyName, KeyType: 'HASH' }],
      AttributeDefinitions: [
        { AttributeName: keyName, AttributeType: 'S' },
        { AttributeName: 'owner', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'owner-index',
          KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }],
          Projection: {
            ProjectionType: 'INCLUDE',
            NonKeyAttributes: ['createdAt', 'updatedAt', 'ttl', 'ownerEpoch', 'label'],
          },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return tableName;
}

/** Every item of a table, as DynamoDB returns it (typed attribute values). */
export async function scanTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<Record<string, AttributeValue>[]> {
  const { Items } = await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
  return Items ?? [];
}

/** One item by its (hashed) key. */
export async function getItem(
  client: DynamoDBClient,
  tableName: string,
  key: string,
): Promise<Record<string, AttributeValue> | undefined> {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: tableName, Key: { key: { S: key } }, ConsistentRead: true }),
  );
  return Item;
}

/** Writes an item as is, to set up states the library would not write itself (expired, foreign). */
export async function putItem(
  client: DynamoDBClient,
  tableName: string,
  item: Record<string, AttributeValue>,
): Promise<void> {
  await client.send(new PutItemCommand({ TableName: tableName, Item: item }));
}

/**
 * Registers the hooks an integration spec needs: one local DynamoDB for the file (dynalite, or what `start`
 * starts: `startDynamoBackend` of dynamo-backend.ts runs the spec on the backend `DYNAMO_BACKEND` names), a
 * fresh session table for each test, and the library configured to use it. Read `dynamo` and `tableName`
 * inside tests.
 */
export function useSessionTable(start: () => Promise<LocalDynamo> = startDynalite): {
  readonly dynamo: LocalDynamo;
  readonly tableName: string;
} {
  const state = {} as { dynamo: LocalDynamo; tableName: string };
  // moto_server takes a second or two to start, more on a busy machine: beyond jest's 5 s for a hook.
  beforeAll(async () => {
    state.dynamo = await start();
  }, 60_000);
  afterAll(() => state.dynamo?.close(), 30_000); // none when it failed to start
  beforeEach(async () => {
    state.tableName = await createSessionTable(state.dynamo.client);
    configureSessions({ tableName: state.tableName, client: state.dynamo.client });
  });
  return state;
}

/** DynamoDB's requests as the store calls they serve. */
const STORE_CALLS: Readonly<Record<string, string>> = {
  GetItem: 'load',
  PutItem: 'save',
  UpdateItem: 'touch',
  DeleteItem: 'delete',
  BatchGetItem: 'loadOwned',
  Query: 'list',
};

/**
 * The engine rules' store on the table of {@link useSessionTable}: the library configured with the table and
 * the client (as an application does), and a store of its own on the same table to plant and read sessions.
 */
export function dynaliteEngineStore(local: {
  readonly dynamo: LocalDynamo;
  readonly tableName: string;
}): EngineStore {
  const { dynamo, tableName } = local;
  return {
    configure: (options = {}) => configureSessions({ ...options, tableName, client: dynamo.client }),
    store: new DynamoDBSessionStore({ tableName, client: dynamo.client }),
    count: async () => (await scanTable(dynamo.client, tableName)).length,
    calls: () => dynamo.requests.map((request) => STORE_CALLS[request] ?? request),
    resetCalls: () => {
      dynamo.requests.length = 0;
    },
  };
}
