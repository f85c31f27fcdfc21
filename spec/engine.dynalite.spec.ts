// The engine's rules on DynamoDB (spec/engine-rules, run on memory by engine.spec.ts): dynalite in-process, or
// moto_server with DYNAMO_BACKEND=moto. And what only DynamoDB shows: the attributes of the item the engine
// writes.
import {
  getSessionContext,
  getSessionData,
  hashSessionId,
  SessionCorruptError,
  setSessionData,
  withSession,
  type WithSessionOptions,
} from '../src';
import { describeEngineRules } from './engine-rules';
import { dynaliteEngineStore, getItem, putItem, useSessionTable } from './support/dynalite';
import { dynamoBackend, startDynamoBackend } from './support/dynamo-backend';

const local = useSessionTable(startDynamoBackend);

describeEngineRules(`DynamoDB (${dynamoBackend})`, () => dynaliteEngineStore(local));

type Response = { headers: Record<string, string> };

/** A session-lambda-style counter: the data is a plain number. */
const counter = (options: WithSessionOptions = {}) =>
  withSession(
    async (_event: unknown): Promise<Response> => {
      setSessionData((getSessionData<number>() ?? 0) + 1);
      return { headers: {} };
    },
    { update: true, ...options },
  );
const item = (id: string) => getItem(local.dynamo.client, local.tableName, hashSessionId(id));

describe('the item in DynamoDB', () => {
  it('has no ttl attribute when the session never expires (both timeouts at 0)', async () => {
    const id = (await counter({ ttl: 0, absoluteTimeout: 0 })({})).headers['session-id']!;
    expect((await item(id))?.ttl).toBeUndefined();
  });

  it('holds the schema version in the schemaVersion number attribute', async () => {
    const first = (await counter()({})).headers['session-id']!;
    const second = (await counter({ version: 2 })({})).headers['session-id']!;
    expect((await item(first))?.schemaVersion).toEqual({ N: '1' });
    expect((await item(second))?.schemaVersion).toEqual({ N: '2' });
  });

  it('holds a log-in chain in the chain string attribute, and refuses one of another type', async () => {
    const logIn = withSession(
      async (_event: unknown): Promise<Response> => {
        getSessionContext().regenerate();
        return { headers: {} };
      },
      { update: true },
    );
    const id = (await logIn({})).headers['session-id']!;
    const { chain } = (await item(id))!;
    expect(chain?.S).toMatch(/^[A-Za-z0-9_-]{22}$/);
    await putItem(local.dynamo.client, local.tableName, { ...(await item(id))!, chain: { N: '1' } });
    await expect(counter()({ headers: { 'session-id': id } })).rejects.toBeInstanceOf(SessionCorruptError);
  });

  it('reports an item of the wrong shape instead of passing it off as no session', async () => {
    const id = (await counter()({})).headers['session-id']!;
    await putItem(local.dynamo.client, local.tableName, { key: { S: hashSessionId(id) }, value: { N: '1' } });
    await expect(counter()({ headers: { 'session-id': id } })).rejects.toBeInstanceOf(SessionCorruptError);
  });
});
