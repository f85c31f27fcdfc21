// The DynamoDB store's own promises: compression, the item size limit, conflict details. On dynalite, or on
// moto_server with DYNAMO_BACKEND=moto; what only moto shows is in dynamodb-store.moto.spec.ts.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import {
  DynamoDBSessionStore,
  SessionConflictError,
  SessionConfigurationError,
  SessionTooLargeError,
  type StoredSession,
} from '../../src';
import { conflictWinner } from '../../src/errors';
import { getItem, useSessionTable } from '../support/dynalite';
import { startDynamoBackend } from '../support/dynamo-backend';

const local = useSessionTable(startDynamoBackend);
const store = (options: { compressAbove?: number } = {}) =>
  new DynamoDBSessionStore({ tableName: local.tableName, client: local.dynamo.client, ...options });

const session = (key: string, data: string, version = 1): StoredSession => ({
  key,
  data,
  createdAt: 1,
  updatedAt: 1,
  version,
  expiresAt: undefined,
});
/** Compressible JSON of about `bytes` bytes, like a cart with many similar lines. */
const cartJson = (bytes: number) =>
  JSON.stringify({
    items: Array.from({ length: Math.ceil(bytes / 36) }, (_, i) => ({
      sku: `sku-${i % 500}`,
      qty: 1 + (i % 9),
      price: 100,
    })),
  });

describe('compression', () => {
  it('stores small sessions as JSON text and larger ones as brotli Binary, transparently', async () => {
    const s = store();
    await s.save(session('small', cartJson(1_000)), undefined);
    await s.save(session('large', cartJson(10_000)), undefined);
    const small = await getItem(local.dynamo.client, local.tableName, 'small');
    const large = await getItem(local.dynamo.client, local.tableName, 'large');
    expect(small!.value!.S).toBe(cartJson(1_000));
    expect(large!.value!.B![0]).toBe(1);
    expect(large!.value!.B!.length).toBeLessThan(cartJson(10_000).length / 4);
    expect((await s.load('large'))!.data).toBe(cartJson(10_000));
  });

  it('fits a 1 MB compressible session into one item', async () => {
    const s = store();
    const json = cartJson(1_000_000);
    expect(json.length).toBeGreaterThan(1_000_000);
    await s.save(session('huge', json), undefined);
    // a little over the engine's default maxSessionBytes (1 MiB), which bounds decompression: read with more
    expect((await s.load('huge', { maxDataBytes: 2 ** 21 }))!.data).toBe(json);
  });

  it('throws SessionTooLargeError before any request when even compressed it exceeds 400 KB', async () => {
    const s = store();
    await s.save(session('k', '{"a":1}'), undefined);
    const incompressible = JSON.stringify({ blob: randomBytes(450_000).toString('base64') });
    local.dynamo.requests.length = 0;
    const error = await s.save(session('k', incompressible, 2), 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionTooLargeError);
    expect((error as SessionTooLargeError).size).toBeGreaterThan(400 * 1024);
    expect(local.dynamo.requests).toEqual([]);
    expect((await s.load('k'))!.data).toBe('{"a":1}');
  });

  it('refuses impossible settings', () => {
    expect(() => store({ compressAbove: -1 })).toThrow(SessionConfigurationError);
  });
});

describe('conflicts', () => {
  it('refuses to create over an existing item and to replace another version', async () => {
    const s = store();
    await s.save(session('c', '1'), undefined);
    await expect(s.save(session('c', '2'), undefined)).rejects.toBeInstanceOf(SessionConflictError);
    await expect(s.save(session('c', '2', 3), 2)).rejects.toBeInstanceOf(SessionConflictError);
    expect((await s.load('c'))!.data).toBe('1');
  });

  it('keeps the winning item DynamoDB returns with a failed condition (ALL_OLD), so a retry reads nothing', async () => {
    // dynalite does not return the item; real DynamoDB does. This checks our handling of its answer.
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    let sent: Record<string, unknown> | undefined;
    client.send = (async (command: { input: Record<string, unknown> }) => {
      sent = command.input;
      throw Object.assign(new Error('The conditional request failed'), {
        name: 'ConditionalCheckFailedException',
        Item: {
          key: { S: 'w' },
          value: { S: '{"n":2}' },
          createdAt: { N: '5' },
          updatedAt: { N: '6' },
          version: { N: '2' },
        },
      });
    }) as typeof client.send;
    const s = new DynamoDBSessionStore({ tableName: 'sessions', client });
    const error = await s.save(session('w', '{"n":1}', 2), 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionConflictError);
    expect(sent!.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    expect(conflictWinner(error as SessionConflictError)?.current).toEqual({
      key: 'w',
      data: '{"n":2}',
      createdAt: 5,
      updatedAt: 6,
      version: 2,
      expiresAt: undefined,
    });
    expect(JSON.stringify(error)).not.toContain('{"n":2}');
  });
});
