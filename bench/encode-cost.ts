// What validating the data as the next read gets it costs a write: the sample Cart, encoded the way a write did
// before (validate the handler's instance, serialise it) and the way it does now (serialise, parse, hydrate
// again, validate that copy: `encodeForWrite`). No store, no I/O: the codec alone.
// Run: npx tsc -p tsconfig.samples.json && node build/bench/encode-cost.js [iterations]
import 'reflect-metadata';
import { dataShape, encodeForWrite, serialize, validateData } from '../src/data-codec';
import { Cart, Item } from '../samples/cart/cart';
import { fmt, median, timeEach } from './stats';

const shape = dataShape(Cart);
const iterations = Number(process.argv[2] ?? 5000);

function cartOf(lines: number): Cart {
  const cart = new Cart();
  for (let i = 0; i < lines; i++)
    cart.add(Object.assign(new Item(), { sku: `sku-${i}`, qty: 2, price: 150 }));
  return cart;
}

/** The write path's encoding before: class-validator on the handler's instance, then the JSON of it. */
async function before(cart: Cart): Promise<string> {
  await validateData(shape, cart, {});
  return serialize(shape, cart);
}

const now = (cart: Cart) =>
  encodeForWrite(shape, cart, { validation: {}, maxSessionBytes: 2 ** 20 }, 'bench');

async function main(): Promise<void> {
  console.log(
    `Node ${process.version}, ${iterations} encodings each, interleaved in rounds of 100; µs per write`,
  );
  console.log('| cart | encoding | min | median | max |');
  console.log('| --- | --- | ---: | ---: | ---: |');
  for (const lines of [3, 50]) {
    const cart = cartOf(lines);
    if ((await before(cart)) !== (await now(cart))) throw new Error('the two encodings differ');
    for (let i = 0; i < 500; i++) await Promise.all([before(cart), now(cart)]); // warm up both
    const samples = { before: [] as number[], now: [] as number[] };
    for (let round = 0; round < iterations / 100; round++) {
      samples.before.push(...(await timeEach(100, () => before(cart))));
      samples.now.push(...(await timeEach(100, () => now(cart))));
    }
    for (const [name, values] of Object.entries(samples)) {
      const label =
        name === 'before' ? 'validate, serialise (before)' : 'serialise, rehydrate, validate (now)';
      console.log(
        `| ${lines} items | ${label} | ${fmt(Math.min(...values))} | ${fmt(median(values))} | ${fmt(Math.max(...values))} |`,
      );
    }
    console.log(
      `| ${lines} items | extra at the median | | ${fmt(median(samples.now) - median(samples.before))} | |`,
    );
  }
}

void main();
