// Run in a child node process by spec/cancellation.dynalite.spec.ts, bundled with esbuild: one invocation whose
// write stalls, then nothing. Prints how the invocation failed and, when the process is about to exit, how long
// after the invocation began; a process that keeps a stalled request alive never prints the second line.
import { configureSessions, withSession } from '../../src';

configureSessions({
  tableName: process.env.TABLE_NAME!,
  endpoint: process.env.ENDPOINT!,
  region: 'us-east-1',
}); // the client's own request timeout is its default, 3 s per attempt
const handler = withSession(async () => ({ statusCode: 200, headers: {} }), {
  storeTimeoutMs: Number(process.env.BUDGET_MS),
});

const started = Date.now();
process.on('exit', () => console.log(JSON.stringify({ exitedAfterMs: Date.now() - started })));
handler({}).then(
  () => console.log(JSON.stringify({ saved: true })),
  (error: Error) => console.log(JSON.stringify({ failed: error.name })),
);
