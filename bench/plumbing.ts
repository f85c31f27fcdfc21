// Cheaper plumbing (#13 part 3): each piece of the engine's per-invocation plumbing against the code it
// replaced (kept in bench/plumbing-before.ts), in a hot loop:
// - the time budget of one store call, around a store call that answers at once: a call that ignores its
//   options (the memory store), and one that does what the DynamoDB store does with them before it sends (checks
//   the budget, makes its { aborted, onabort } and registers its cancel), without the SDK;
// - hashSessionId() of a server-issued id;
// - the response copy: prepareResponse() and finishResponse() with the id header added, on three responses.
// The variants of a piece interleaved in a fresh random order each round; per round the mean CPU ns (the
// process's user and system time, which a busy machine's other processes do not inflate as they do wall time) per
// operation of a batch; min / median / max over the rounds.
// Run: npx tsc -p tsconfig.samples.json && node build/bench/plumbing.js [rounds] [batch]
import { budgetOf, callBudget, onBudgetSpent } from '../src/budget';
import { generateSessionId, hashSessionId } from '../src/session-id';
import { type StoreCallOptions } from '../src/stores/session-store';
import { RequestAbort } from '../src/stores/dynamodb-request';
import { type EventKind } from '../src/transport/event-kind';
import { finishResponse, prepareResponse } from '../src/transport/response';
import {
  callBudgetBefore,
  finishResponseBefore,
  hashSessionIdBefore,
  storeCallBefore,
} from './plumbing-before';
import { fmt } from './stats';

const rounds = Number(process.argv[2] ?? 7);
const batch = Number(process.argv[3] ?? 20_000);

/** What the DynamoDB store does now with its call options before the request (`DynamoDBSessionStore.call`). */
function storeCallAfter(options: StoreCallOptions | undefined): RequestAbort | undefined {
  const budget = budgetOf(options);
  if (budget?.spent) throw new Error('cancelled');
  const abort = budget && new RequestAbort();
  const release = abort ? onBudgetSpent(options, () => abort.abort()) : undefined;
  release?.();
  return abort;
}

type Variants = Record<string, (i: number) => unknown>;

/** min / median / max ns per operation of each variant over the rounds. */
async function measure(variants: Variants): Promise<Record<string, string>> {
  const names = Object.keys(variants);
  const ns: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const name of names) for (let i = 0; i < batch / 10; i++) await variants[name]!(i); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const name of [...names].sort(() => Math.random() - 0.5)) {
      const run = variants[name]!;
      const start = process.cpuUsage();
      for (let i = 0; i < batch; i++) await run(i);
      const { user, system } = process.cpuUsage(start);
      ns[name]!.push(((user + system) * 1000) / batch);
    }
  }
  return Object.fromEntries(
    names.map((name) => {
      const s = [...ns[name]!].sort((a, b) => a - b);
      return [name, `${fmt(s[0]!, 0)} / ${fmt(s[Math.floor(s.length / 2)]!, 0)} / ${fmt(s.at(-1)!, 0)}`];
    }),
  );
}

async function main(): Promise<void> {
  console.log(
    `Node ${process.version}; CPU ns per operation, min / median / max of ${rounds} rounds of ${batch}`,
  );
  console.log('| piece | before | after |');
  console.log('| --- | ---: | ---: |');
  const row = (piece: string, r: Record<string, string>) =>
    console.log(`| ${piece} | ${r.before} | ${r.after} |`);

  const answered = Promise.resolve('item');
  const before = callBudgetBefore(3000, { maxDataBytes: 1 << 20 });
  const after = callBudget(3000, undefined, { maxDataBytes: 1 << 20 });
  row(
    'no budget: the bare awaited call (for scale)',
    await measure({ before: () => answered, after: () => answered }),
  );
  row(
    'budget, a call that ignores its options (memory store)',
    await measure({
      before: () => before(() => answered, 'read'),
      after: () => after(() => answered, 'read'),
    }),
  );
  row(
    'budget, a call that reads them as the DynamoDB store does',
    await measure({
      before: () => before((o) => (storeCallBefore(o), answered), 'read'),
      after: () => after((o) => (storeCallAfter(o), answered), 'read'),
    }),
  );

  const ids = Array.from({ length: 1024 }, generateSessionId);
  const hashes = await measure({
    before: (i) => hashSessionIdBefore(ids[i & 1023]!),
    after: (i) => hashSessionId(ids[i & 1023]!),
  });
  if (ids.some((id) => hashSessionId(id) !== hashSessionIdBefore(id))) throw new Error('the hashes differ');
  row('hashSessionId, a server-issued id', hashes);

  const header = { name: 'session-id', value: ids[0]! };
  const responses: [string, unknown, EventKind][] = [
    [
      'response, REST v1 (3 headers)',
      {
        statusCode: 200,
        headers: { 'content-type': 'application/json', 'x-request-id': 'r', etag: '"1"' },
        body: '{}',
      },
      'rest-v1',
    ],
    [
      'response, HTTP API v2 (1 header)',
      { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{}' },
      'http-v2',
    ],
    [
      'response, multi-value ALB (1 header)',
      { statusCode: 200, multiValueHeaders: { 'content-type': ['text/plain'] }, body: '' },
      'alb-multi-value',
    ],
  ];
  for (const [piece, response, kind] of responses) {
    const want = JSON.stringify(finishResponseBefore(prepareResponse(response, kind, false), { header }));
    if (JSON.stringify(finishResponse(prepareResponse(response, kind, false), { header })) !== want) {
      throw new Error(`${piece}: the responses differ`);
    }
    row(
      piece,
      await measure({
        before: () => finishResponseBefore(prepareResponse(response, kind, false), { header }),
        after: () => finishResponse(prepareResponse(response, kind, false), { header }),
      }),
    );
  }
}

void main();
