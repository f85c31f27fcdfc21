// A first run on a laptop with no AWS configuration, against dynalite in-process: the SDK finds no region,
// then no credentials. The errors it throws are the real ones (nothing is mocked), and the library must say
// what to set rather than blame IAM and the network.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { configureSessions, SessionStoreUnavailableError, withSession } from '../../src';
import { missingSdkSetting } from '../../src/stores/sdk-setup';
import { createSessionTable, type LocalDynamo, scanTable, startDynalite } from '../support/dynalite';
import { useEnvironmentWithoutAws } from '../support/no-aws-env';

let dynamo: LocalDynamo;
let tableName: string;
beforeAll(async () => {
  dynamo = await startDynalite();
  tableName = await createSessionTable(dynamo.client);
});
afterAll(() => dynamo.close());
useEnvironmentWithoutAws();

const handler = withSession(async (_event: unknown) => ({
  statusCode: 200,
  headers: {} as Record<string, string>,
}));
/** One invocation with a well-formed id, so the store is asked (a GetItem). */
const invoke = () => handler({ headers: { 'session-id': 'A'.repeat(43) } });

async function failure(): Promise<SessionStoreUnavailableError> {
  const error: unknown = await invoke().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SessionStoreUnavailableError);
  return error as SessionStoreUnavailableError;
}

describe('a DynamoDB store on a machine without AWS configuration', () => {
  it('says to set a region when the SDK finds none, not to check IAM and the network', async () => {
    configureSessions({ tableName, endpoint: dynamo.endpoint });

    const error = await failure();

    expect(error.message).toMatch(
      /GetItem on table "[^"]+" was not sent: the AWS SDK found no region\. Set the region option \(configureSessions\(\{ region \}\)\) or the AWS_REGION environment variable/,
    );
    expect(error.message).not.toMatch(/IAM|network/);
    expect((error.cause as Error).message).toBe('Region is missing');
  });

  it('says to set dummy credentials for a local endpoint when the SDK finds none', async () => {
    configureSessions({ tableName, endpoint: dynamo.endpoint, region: 'local' });

    const error = await failure();

    expect(error.message).toMatch(
      /was not sent: the AWS SDK found no credentials \(Could not load credentials from any providers\)\..*set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to any letters and digits/,
    );
    expect(error.message).not.toMatch(/IAM|network/);
    expect((error.cause as Error).name).toBe('CredentialsProviderError');
  });

  it('works once both are set as the messages say, and writes the session', async () => {
    process.env.AWS_REGION = 'local';
    process.env.AWS_ACCESS_KEY_ID = 'local';
    process.env.AWS_SECRET_ACCESS_KEY = 'local';
    configureSessions({ tableName, endpoint: dynamo.endpoint });
    const before = (await scanTable(dynamo.client, tableName)).length;

    const response = await handler({ headers: {} });

    expect(response.headers['session-id']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await scanTable(dynamo.client, tableName)).toHaveLength(before + 1);
  });

  it('points at the client when the user gave one, since the region option would be ignored', async () => {
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint });
    configureSessions({ tableName, client });

    const error = await failure();

    expect(error.message).toMatch(/found no region\. Give your client a region or the AWS_REGION/);
    client.destroy();
  });
});

describe('missingSdkSetting', () => {
  it('recognises only the missing region and the missing credentials', () => {
    const named = (name: string, message: string) => Object.assign(new Error(message), { name });
    expect(missingSdkSetting(new Error('Region is missing'))).toBe('region');
    expect(missingSdkSetting(named('CredentialsProviderError', 'Could not load credentials'))).toBe(
      'credentials',
    );
    expect(missingSdkSetting(named('ResourceNotFoundException', 'Requested resource not found'))).toBe(
      undefined,
    );
    expect(missingSdkSetting(named('AccessDeniedException', 'not authorized'))).toBe(undefined);
    expect(missingSdkSetting(new Error('connect ECONNREFUSED 127.0.0.1:9'))).toBe(undefined);
    expect(missingSdkSetting('Region is missing')).toBe(undefined);
  });
});
