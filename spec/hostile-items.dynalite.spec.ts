// Hostile items put straight in the table with the raw SDK (a writer that is not this library): the engine
// refuses them with a SessionError, without building what they expand to, and goes on serving other sessions.
// dynalite in-process. What a hostile item costs in time and memory is measured by bench/hostile-item.ts (a
// child process per item), not here: these tests assert outcomes only.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IsArray } from 'class-validator';
import {
  DynamoDBSessionStore,
  getSessionData,
  hashSessionId,
  SessionCorruptError,
  type StoredSession,
  withSession,
  type WithSessionOptions,
} from '../src';
import { generateSessionId } from '../src/session-id';
import { getItem, putItem, useSessionTable } from './support/dynalite';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy';

const local = useSessionTable();

/** 517 bytes that brotli expands to 300 MB of JSON (see spec/fixtures/hostile/SOURCES.md). */
const BOMB = readFileSync(join(__dirname, 'fixtures', 'hostile', 'brotli-bomb-300mb.br'));

class Cart {
  @IsArray() items: string[] = [];
}

type Response = { statusCode: number; headers: Record<string, string>; body: string };

const cart = (options: WithSessionOptions = {}) =>
  withSession(
    async (_event: unknown): Promise<Response> => ({
      statusCode: 200,
      headers: {},
      body: String(getSessionData<Cart>().items.length),
    }),
    { type: Cart, update: true, ...options },
  );

/** A session id whose item, put with the raw SDK, holds `value` as its data. */
async function hostile(value: { B: Uint8Array } | { S: string }): Promise<string> {
  const id = generateSessionId();
  const now = String(Date.now());
  await putItem(local.dynamo.client, local.tableName, {
    key: { S: hashSessionId(id) },
    value,
    createdAt: { N: now },
    updatedAt: { N: now },
    version: { N: '1' },
  });
  return id;
}

describe('a hostile item put in the table directly', () => {
  it('a brotli bomb is not decompressed past maxSessionBytes: SessionCorruptError, the item left alone', async () => {
    const id = await hostile({ B: BOMB });

    const error = await cart()({ headers: { 'session-id': id } }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SessionCorruptError);
    expect((error as Error).message).toMatch(
      /expands to more than 1048576 bytes of JSON \(maxSessionBytes\), more than this code writes/,
    );
    // zlib stopped at the limit (its maxOutputLength), rather than build the 300 MB and refuse it afterwards
    expect((error as Error).cause).toMatchObject({ code: 'ERR_BUFFER_TOO_LARGE' });
    expect((await getItem(local.dynamo.client, local.tableName, hashSessionId(id)))?.value).toEqual({
      B: new Uint8Array(BOMB),
    });
  });

  it('is refused at the limit the handler sets', async () => {
    // 3.3 MB of a cart's JSON, a few hundred bytes compressed: refused under 2 MiB, read under 4 MiB
    const { brotliCompressSync } = await import('node:zlib');
    const json = JSON.stringify({ items: Array(100_000).fill('apple'.repeat(6)) });
    const id = await hostile({ B: Buffer.concat([Buffer.of(1), brotliCompressSync(json)]) });

    await expect(cart({ maxSessionBytes: 2 ** 21 })({ headers: { 'session-id': id } })).rejects.toThrow(
      /expands to more than 2097152 bytes/,
    );
    expect((await cart({ maxSessionBytes: 2 ** 22 })({ headers: { 'session-id': id } })).body).toBe('100000');
  });

  it('leaves the handler serving every other session', async () => {
    const id = await hostile({ B: BOMB });
    await expect(cart()({ headers: { 'session-id': id } })).rejects.toBeInstanceOf(SessionCorruptError);

    const fresh = await cart()({});
    expect(fresh.statusCode).toBe(200);
    expect((await cart()({ headers: { 'session-id': fresh.headers['session-id']! } })).body).toBe('0');
  });

  it('a store used without the engine bounds decompression too, by the default limit', async () => {
    const id = await hostile({ B: BOMB });
    const store = new DynamoDBSessionStore({ tableName: local.tableName, client: local.dynamo.client });

    await expect(store.load(hashSessionId(id))).rejects.toThrow(/expands to more than 1048576 bytes/);
  });

  describe('a bomb that wins a race is not decompressed either', () => {
    let proxy: FaultProxy;
    afterEach(() => proxy.close());
    const session = (id: string): StoredSession => {
      const now = Date.now();
      const key = hashSessionId(id);
      return { key, data: '{}', createdAt: now, updatedAt: now, version: 1, expiresAt: undefined };
    };

    it('returned with the failed condition, as DynamoDB does', async () => {
      proxy = await startFaultProxy(local.dynamo.endpoint, { oldItemOnConditionFailure: true });
      const store = new DynamoDBSessionStore({
        tableName: local.tableName,
        endpoint: proxy.endpoint,
        region: 'us-east-1',
      });
      const id = await hostile({ B: BOMB });

      // a create where the bomb is: the answer carries the bomb
      await expect(store.save(session(id), undefined, { maxDataBytes: 1000 })).rejects.toThrow(
        /expands to more than 1000 bytes/,
      );
    });

    it('read again after the failed condition, as on dynalite', async () => {
      proxy = await startFaultProxy(local.dynamo.endpoint);
      const store = new DynamoDBSessionStore({
        tableName: local.tableName,
        endpoint: proxy.endpoint,
        region: 'us-east-1',
      });
      const id = await hostile({ B: BOMB });

      // with a write token, the store reads the item to tell its own lost answer from another writer's win
      await expect(
        store.save({ ...session(id), writeTokens: ['t'] }, undefined, { maxDataBytes: 1000 }),
      ).rejects.toThrow(/expands to more than 1000 bytes/);
      expect(proxy.seen).toEqual(['PutItem', 'GetItem']);
    });
  });
});
