// What cancelling a store call costs per request: the AWS SDK's document client sending to a local HTTP server
// that answers at once (in this process: client and server CPU both count), with no signal, with a platform
// AbortSignal (two EventTarget listeners per attempt in the SDK), and with the SDK's own { aborted, onabort }
// shape the DynamoDB store passes; then the store itself in the engine's time budget, given the budget's call
// options (cancellation, and for a write the watch of its attempts) or not (the store before it used them).
// Calls interleaved one by one, in a fresh order each round, so that the machine's noise falls on every
// variant alike.
// Run: npx tsc -p tsconfig.samples.json && node build/bench/abort-cost.js [calls per variant]
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { callBudget } from '../src/budget';
import { DynamoDBSessionStore } from '../src/stores/dynamodb-store';
import { type StoredSession } from '../src/stores/session-store';
import { fmt, median, microsSince, percentile } from './stats';

const calls = Number(process.argv[2] ?? 5000);
const ITEM = {
  key: { S: 'k' },
  value: { S: '{"n":1}' },
  createdAt: { N: '1' },
  updatedAt: { N: '1' },
  version: { N: '1' },
};

async function main(): Promise<void> {
  const server = createServer((request, response) => {
    const target = String(request.headers['x-amz-target']);
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(target.endsWith('GetItem') ? JSON.stringify({ Item: ITEM }) : '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
  const base = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials,
    requestHandler: { requestTimeout: 3000, throwOnRequestTimeout: true, connectionTimeout: 1000 },
  });
  const client = DynamoDBDocumentClient.from(base);
  const store = new DynamoDBSessionStore({ tableName: 'bench', client });
  const budget = callBudget(3000, undefined);
  const get = () => new GetCommand({ TableName: 'bench', Key: { key: 'k' }, ConsistentRead: true });
  const session: StoredSession = {
    key: 'k',
    data: '{"n":2}',
    createdAt: 1,
    updatedAt: 2,
    version: 2,
    expiresAt: undefined,
    writeTokens: ['token'],
  };

  // Every variant of the first three makes a controller: the engine's budget makes one per call anyway.
  const variants: Record<string, () => Promise<unknown>> = {
    'SDK, no signal': () => (new AbortController(), client.send(get())),
    'SDK, platform AbortSignal': () => client.send(get(), { abortSignal: new AbortController().signal }),
    'SDK, { aborted, onabort }': () => (
      new AbortController(),
      client.send(get(), { abortSignal: { aborted: false, onabort: null } })
    ),
    // The budget's options withheld: the store as it was, neither cancelling nor watching its attempts.
    'store load, budget, options withheld': () => budget(() => store.load('k'), 'read'),
    'store load, budget': () => budget((o) => store.load('k', o), 'read'),
    'store save, budget, options withheld': () => budget(() => store.save(session, 1)),
    'store save, budget': () => budget((o) => store.save(session, 1, o)),
  };
  const names = Object.keys(variants);
  for (let i = 0; i < 300; i++) for (const name of names) await variants[name]!();
  const samples: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let i = 0; i < calls; i++) {
    // A fresh order each round: no variant always follows the same one (a write after a read, say).
    const order = [...names];
    for (let j = order.length - 1; j > 0; j--) {
      const k = Math.floor(Math.random() * (j + 1));
      [order[j], order[k]] = [order[k]!, order[j]!];
    }
    for (const name of order) {
      const start = process.hrtime.bigint();
      await variants[name]!();
      samples[name]!.push(microsSince(start));
    }
  }
  console.log(`Node ${process.version}, ${calls} calls per variant, interleaved; µs per call`);
  console.log('| variant | min | p25 | median | max | p25 − base | median − base |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const baseOf = (name: string) =>
    name.startsWith('SDK') ? 'SDK, no signal' : name.replace(/, budget$/, ', budget, options withheld');
  for (const name of names) {
    const values = samples[name]!;
    const base = samples[baseOf(name)]!;
    const delta = (p: number) =>
      name === baseOf(name) ? '' : fmt(percentile(values, p) - percentile(base, p));
    console.log(
      `| ${name} | ${fmt(Math.min(...values))} | ${fmt(percentile(values, 25))} | ${fmt(median(values))} | ` +
        `${fmt(Math.max(...values))} | ${delta(25)} | ${delta(50)} |`,
    );
  }
  client.destroy();
  server.close();
}

void main();
