// The DynamoDB store as the ES module build makes it: the SDK comes from an import(), a promise (see
// src/stores/load-dynamodb-sdk.esm.mts), which the store's requests wait for. Here the loader that the CommonJS
// build requires at once is replaced with one that answers a promise, on dynalite.
import * as DynamoDBSdk from '../../src/stores/dynamodb-sdk';
import { DynamoDBSessionStore, type StoredSession } from '../../src';
import { loadDynamoDBSdk } from '../../src/stores/load-dynamodb-sdk';
import { useSessionTable } from '../support/dynalite';

jest.mock('../../src/stores/load-dynamodb-sdk', () => ({ loadDynamoDBSdk: jest.fn() }));
const loader = jest.mocked(loadDynamoDBSdk);
loader.mockImplementation(() => Promise.resolve(DynamoDBSdk));

const local = useSessionTable();
const session: StoredSession = {
  key: 'k',
  data: '{"n":1}',
  createdAt: 1,
  updatedAt: 1,
  version: 1,
  expiresAt: undefined,
};

it('waits at its first request for an SDK still loading, then saves, loads, slides and deletes', async () => {
  let loaded!: (sdk: typeof DynamoDBSdk) => void;
  loader.mockReturnValueOnce(new Promise((resolve) => (loaded = resolve)));
  const store = new DynamoDBSessionStore({ tableName: local.tableName, client: local.dynamo.client });

  const saving = store.save(session, undefined);
  loaded(DynamoDBSdk);
  await saving;

  expect((await store.load('k'))?.data).toBe('{"n":1}');
  expect(await store.touch('k', { updatedAt: 2, expiresAt: undefined, expectedVersion: 1 })).toBe(true);
  expect(await store.delete('k')).toBe('deleted');
  expect(await store.load('k')).toBeUndefined();
});

it('rejects each request with the error of an SDK that failed to load', async () => {
  const missing = new Error("Cannot find package '@aws-sdk/client-dynamodb'");
  loader.mockReturnValueOnce(Promise.reject(missing));
  const store = new DynamoDBSessionStore({ tableName: local.tableName, client: local.dynamo.client });

  await expect(store.load('k')).rejects.toBe(missing);
  await expect(store.save(session, undefined)).rejects.toBe(missing);
});

it('a cancelled request still waits for the SDK, then is cancelled before it is sent', async () => {
  const store = new DynamoDBSessionStore({ tableName: local.tableName, client: local.dynamo.client });
  await expect(store.load('k', { signal: AbortSignal.abort() })).rejects.toThrow(/cancelled/);
  expect(loader).toHaveBeenCalled();
});
