// The header scan (#13 part 3): readHeaderValues() against the scan it replaced, which lower-cased every header
// name of the event, on the real events in spec/fixtures/events; two lookups per invocation (the id header and
// `cookie`), as the engine makes. Interleaved in a shuffled order, 7 rounds of 200,000 invocations each.
// Run: npx tsc -p tsconfig.samples.json && node build/bench/header-scan.js
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRecord } from '../src/transport/event-kind';
import { readHeaderValues } from '../src/transport/headers';
import { fmt } from './stats';

/** The scan before: every name lower-cased. */
function lowerCasingEveryName(event: unknown, name: string): string[] {
  if (!isRecord(event)) return [];
  const wanted = name.toLowerCase();
  const values = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value === 'string') values.add(value.trim());
  };
  for (const source of [event.headers, event.multiValueHeaders]) {
    if (!isRecord(source)) continue;
    for (const key of Object.keys(source)) {
      if (key.toLowerCase() !== wanted) continue;
      const value = source[key];
      if (Array.isArray(value)) value.forEach(add);
      else add(value);
    }
  }
  return [...values];
}

const N = 200_000;
const fixtures = join(__dirname, '..', '..', 'spec', 'fixtures', 'events');
console.log(`Node ${process.version}; ns per invocation (two lookups), min / median / max of 7 rounds`);
console.log('| event | headers | every name lower-cased (before) | length first (after) |');
console.log('| --- | ---: | ---: | ---: |');
for (const file of ['apigw-http-v2.json', 'apigw-rest-v1.json', 'alb-multivalue.json']) {
  const event = JSON.parse(readFileSync(join(fixtures, file), 'utf8')) as { headers?: object };
  const variants = { before: lowerCasingEveryName, after: readHeaderValues };
  const ns: Record<string, number[]> = { before: [], after: [] };
  for (let round = 0; round < 7; round++) {
    for (const [name, scan] of Object.entries(variants).sort(() => Math.random() - 0.5)) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < N; i++) {
        scan(event, 'session-id');
        scan(event, 'cookie');
      }
      ns[name]!.push(Number(process.hrtime.bigint() - start) / N);
    }
  }
  const range = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return `${fmt(s[0]!, 0)} / ${fmt(s[3]!, 0)} / ${fmt(s[6]!, 0)}`;
  };
  const count = Object.keys(event.headers ?? {}).length;
  console.log(`| ${file} | ${count} | ${range(ns.before!)} | ${range(ns.after!)} |`);
}
