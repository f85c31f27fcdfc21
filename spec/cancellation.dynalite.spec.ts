// A stalled request is cancelled when its time budget is spent, not abandoned: its socket goes back to the pool,
// the SDK sends no retry of it, and nothing keeps the process alive. dynalite in-process, behind the fault proxy.
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { configureSessions, SessionStoreUnavailableError, withSession } from '../src';
import { useSessionTable } from './support/dynalite';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy';

const ROOT = join(__dirname, '..');
const local = useSessionTable();
let proxy: FaultProxy;
beforeEach(async () => {
  proxy = await startFaultProxy(local.dynamo.endpoint);
  // The library's own client (its pool of 50 sockets), pointed at the proxy.
  configureSessions({ tableName: local.tableName, endpoint: proxy.endpoint, region: 'us-east-1' });
});
afterEach(() => proxy.close());

/** Waits until `done()` holds, for at most `ms`: a generous bound on something that happens at once. */
async function until(done: () => boolean, ms: number): Promise<void> {
  for (const end = Date.now() + ms; !done() && Date.now() < end;) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it('gives back the socket of every stalled call: after 200 black-holed writes and healing, 20 of 20 succeed', async () => {
  // The SDK's own request timeout out of the picture: only the cancellation at the budget frees a socket.
  configureSessions({
    tableName: local.tableName,
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    requestTimeoutMs: 60_000,
  });
  const write = withSession(async () => ({ statusCode: 200, headers: {} }), { storeTimeoutMs: 1_500 });
  await write({}); // the client's credentials and first socket, before the black hole opens
  proxy.plan({ fault: 'stall', times: 200 });

  const stalled = await Promise.allSettled(Array.from({ length: 200 }, () => write({})));
  expect(
    stalled.filter((r) => r.status === 'rejected' && r.reason instanceof SessionStoreUnavailableError),
  ).toHaveLength(200);
  expect(proxy.seen.length - 1).toBeGreaterThan(0); // the black hole took requests (the pool's 50, or so)
  // Every request the proxy holds is given up by the client, not left open on a socket of the pool.
  await until(() => proxy.held() === 0, 2_000);
  expect(proxy.held()).toBe(0);

  proxy.heal();
  const healed = await Promise.allSettled(Array.from({ length: 20 }, () => write({})));
  expect(healed.filter((r) => r.status === 'fulfilled')).toHaveLength(20);
}, 30_000);

it('lets a process whose write stalled exit when the budget is spent, not when the SDK gives up', async () => {
  mkdirSync(join(ROOT, 'build', 'spec'), { recursive: true });
  const script = join(ROOT, 'build', 'spec', 'stalled-write.js'); // inside the repo: `@aws-sdk/*` resolves
  await build({
    entryPoints: [join(__dirname, 'support', 'stalled-write.script.ts')],
    outfile: script,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['@aws-sdk/*'],
    logLevel: 'silent',
  });
  proxy.plan({ fault: 'stall', operation: 'PutItem' });

  const budgetMs = 500;
  const { stdout } = await promisify(execFile)(process.execPath, [script], {
    env: {
      ...process.env,
      TABLE_NAME: local.tableName,
      ENDPOINT: proxy.endpoint,
      BUDGET_MS: String(budgetMs),
    },
    timeout: 20_000, // killed, and the test fails on its output, if it hangs
  });

  const [outcome, exit] = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(outcome).toEqual({ failed: 'SessionWriteUnknownError' }); // sent, unanswered: saved or not
  // The SDK's own request timeout is 3 s per attempt, with 3 attempts: the process must not wait for it.
  expect(exit?.exitedAfterMs).toBeLessThan(3_000);
  expect(proxy.seen).toEqual(['PutItem']);
}, 30_000);
