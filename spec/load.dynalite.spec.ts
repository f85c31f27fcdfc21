// Load, bounded in count and time: 2,000 invocations over 200 sessions at concurrency 32 on dynalite.
import { hashSessionId } from '../src';
import { getItem, useSessionTable } from './support/dynalite';
import { runLoad } from './support/load';

const local = useSessionTable();

it('ends with every session counting exactly the increments it acknowledged, and no unexpected error', async () => {
  const result = await runLoad({ sessions: 200, total: 2_000, concurrency: 32, seed: 20261122 });

  expect(result.unexpected).toEqual([]);
  const written = result.acknowledged.reduce((a, b) => a + b, 0);
  expect(written + result.reads + result.conflicts).toBe(2_000);
  for (const [index, id] of result.ids.entries()) {
    const item = await getItem(local.dynamo.client, local.tableName, hashSessionId(id));
    expect({ session: index, n: JSON.parse(item!.value!.S!).n }).toEqual({
      session: index,
      n: result.acknowledged[index],
    });
  }
}, 120_000);
