// session-lambda's two README examples, in lambda-sessions' function API. Run: `npm run sample:session-lambda`.
// Prints `null 1 1 1 null` (update: false) and `null 1 2 3 null` (update: true), as session-lambda prints
// `None 1 1 1 None` and `None 1 2 3 None`.
import {
  configureSessions,
  getSessionData,
  MemorySessionStore,
  setSessionData,
  withSession,
} from '../../src';

type Event = { headers: Record<string, string> };

export async function readmeExample(
  update: boolean,
  print: (line: string) => void = console.log,
): Promise<void> {
  configureSessions({ store: new MemorySessionStore() }); // or SESSION_LAMBDA_DYNAMODB_TABLE_NAME for DynamoDB

  const lambdaHandler = withSession(
    async (_event: Event) => {
      print(JSON.stringify(getSessionData() ?? null));
      setSessionData((getSessionData<number>() ?? 0) + 1);
      return { headers: {} as Record<string, string> };
    },
    { update },
  );

  // first client_a call
  const response = await lambdaHandler({ headers: {} });
  // get session id from response (created by the server)
  const sessionId = response.headers['session-id']!;
  // use session id in subsequent calls
  await lambdaHandler({ headers: { 'session-id': sessionId } });
  await lambdaHandler({ headers: { 'session-id': sessionId } });
  await lambdaHandler({ headers: { 'session-id': sessionId } });

  // first client_b call
  await lambdaHandler({ headers: {} });
}

if (require.main === module) {
  void (async () => {
    await readmeExample(false);
    console.log('-- update: true');
    await readmeExample(true);
  })();
}
