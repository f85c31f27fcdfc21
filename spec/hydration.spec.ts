// Stored JSON to the handler's data: what hydration refuses, and what it leaves alone.
import { Transform } from 'class-transformer';
import { SessionCorruptError } from '../src';
import { dataShape, hydrate } from '../src/data-codec';

class Cart {
  items: string[] = [];
}

describe('hydrate', () => {
  it.each([
    ['a number', 42, /is number, not an object that can become a Cart/],
    ['a string', 'cart', /is string, not an object that can become a Cart/],
    ['an array', ['apple'], /is an array, not an object that can become a Cart/],
  ])('refuses %s for a session class, saying what to do', async (_label, plain, message) => {
    const hydrating = () => hydrate(dataShape(Cart), plain, 'abcdef0123');
    await expect(hydrating()).rejects.toThrow(SessionCorruptError);
    await expect(hydrating()).rejects.toThrow(message);
    await expect(hydrating()).rejects.toThrow(
      /session abcdef0123 .*delete the item or change the @SessionData\(\) type/,
    );
  });

  it('makes an object a real instance of the class', async () => {
    const cart = await hydrate(dataShape(Cart), { items: ['apple'] }, 'abcdef0123');
    expect(cart).toBeInstanceOf(Cart);
    expect(cart).toEqual(Object.assign(new Cart(), { items: ['apple'] }));
  });

  it('refuses data nested too deeply for class-transformer as corrupt, not with a RangeError', async () => {
    let deep: object = {};
    for (let i = 0; i < 100_000; i++) deep = { a: deep }; // JSON.parse builds this depth without recursion
    const hydrating = hydrate(dataShape(Cart), { items: [], deep }, 'abcdef0123');
    await expect(hydrating).rejects.toThrow(SessionCorruptError);
    await expect(hydrating).rejects.toThrow(
      /session abcdef0123 is nested too deeply to become a Cart \(Maximum call stack/,
    );
  });

  it('lets any other error of a class-transformer rule through as it is', async () => {
    class Strict {
      @Transform(() => {
        throw new TypeError('the rule refuses');
      })
      items: string[] = [];
    }
    await expect(hydrate(dataShape(Strict), { items: [] }, 'abcdef0123')).rejects.toThrow(TypeError);
  });

  it('leaves plain data as it was stored, whatever it is', async () => {
    for (const plain of [42, 'cart', ['apple'], null, { items: [] }]) {
      expect(await hydrate(dataShape(undefined), plain, 'abcdef0123')).toBe(plain);
    }
  });
});
