// session-lambda's promises about the table, against dynalite in-process. Its README scenarios and test
// cases are engine rules (spec/engine-rules/session-lambda.ts), run on memory and on dynalite.
import { configureSessions, hashSessionId, TABLE_NAME_ENV } from '../src';
import { counterHandler, withId } from './engine-rules/session-lambda';
import { getItem, scanTable, useSessionTable } from './support/dynalite';
import { httpApiEvent } from './support/events';

const local = useSessionTable();

describe('the table', () => {
  it('writes the ttl attribute as epoch seconds: idle ttl from now, capped by the absolute timeout', async () => {
    const before = Math.floor(Date.now() / 1000);
    const id = (await counterHandler(true)(httpApiEvent())).headers['session-id']!;
    const item = await getItem(local.dynamo.client, local.tableName, hashSessionId(id));
    const ttl = Number(item?.ttl?.N);
    expect(ttl).toBeGreaterThanOrEqual(before + 900);
    expect(ttl).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 900);
    expect(item?.version?.N).toBe('1');
    expect(Number(item?.createdAt?.N)).toBe(Number(item?.updatedAt?.N));
  });

  it('holds the hash of the id, never the id itself', async () => {
    const handler = counterHandler(true);
    const id = (await handler(httpApiEvent())).headers['session-id']!;
    await handler(withId(id));
    const items = await scanTable(local.dynamo.client, local.tableName);
    expect(items).toHaveLength(1);
    expect(items[0]?.key?.S).toBe(hashSessionId(id));
    expect(JSON.stringify(items)).not.toContain(id);
    expect(JSON.parse(items[0]!.value!.S!)).toEqual({ value: 2 });
  });

  it('costs one GetItem and one PutItem for a changed session, one PutItem and no read for a new one', async () => {
    const handler = counterHandler(true);
    local.dynamo.requests.length = 0;
    const id = (await handler(httpApiEvent())).headers['session-id']!;
    expect(local.dynamo.requests).toEqual(['PutItem']);
    local.dynamo.requests.length = 0;
    await handler(withId(id));
    expect(local.dynamo.requests).toEqual(['GetItem', 'PutItem']);
  });

  it('is found from the environment variable when nothing is configured', async () => {
    configureSessions({});
    process.env[TABLE_NAME_ENV] = local.tableName;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = local.dynamo.endpoint;
    try {
      const handler = counterHandler(true);
      const id = (await handler(httpApiEvent())).headers['session-id']!;
      expect((await handler(withId(id))).body).toBe('1');
      expect(await getItem(local.dynamo.client, local.tableName, hashSessionId(id))).toBeDefined();
    } finally {
      delete process.env[TABLE_NAME_ENV];
      delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    }
  });
});
