// The `npm start` sample end to end: real HTTP requests, the decorated cart handlers, dynalite in-process.
import { type RunningSample, startSample } from '../../samples/server';

let sample: RunningSample;
beforeAll(async () => {
  sample = await startSample(0);
});
afterAll(() => sample.close());

const post = (path: string, body: string, id?: string) =>
  fetch(sample.url + path, { method: 'POST', body, headers: id ? { 'session-id': id } : {} });

describe('the cart sample', () => {
  it('keeps a cart across requests that send the returned session-id', async () => {
    const first = await post('/cart/items', JSON.stringify({ sku: 'apple', qty: 2, price: 150 }));
    const id = first.headers.get('session-id')!;
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);

    await post('/cart/items', JSON.stringify({ sku: 'pear', qty: 1, price: 90 }), id);
    await post('/cart/items', JSON.stringify({ sku: 'apple', qty: 1, price: 150 }), id);
    const view = await fetch(`${sample.url}/cart`, { headers: { 'session-id': id } });
    expect(view.headers.get('session-id')).toBe(id);
    expect(await view.json()).toEqual({
      items: [
        { sku: 'apple', qty: 3, price: 150 },
        { sku: 'pear', qty: 1, price: 90 },
      ],
      total: 540,
    });

    const cleared = await fetch(`${sample.url}/cart`, { method: 'DELETE', headers: { 'session-id': id } });
    expect(await cleared.json()).toEqual({ items: [], total: 0 });
  });

  it('answers a bad body with 400 and a reason, never a crash', async () => {
    const notJson = await post('/cart/items', 'garbage');
    expect(notJson.status).toBe(400);
    const invalid = await post(
      '/cart/items',
      JSON.stringify({ sku: 'apple', qty: 0, price: 1, admin: true }),
    );
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: string }).error).toMatch(/qty must not be less than 1/);
  });

  it('gives a client without a session an empty cart under a fresh id', async () => {
    const response = await fetch(`${sample.url}/cart`, { headers: { 'session-id': 'made-up' } });
    expect(response.headers.get('session-id')).not.toBe('made-up');
    expect(await response.json()).toEqual({ items: [], total: 0 });
  });
});
