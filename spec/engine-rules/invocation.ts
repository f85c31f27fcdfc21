// One invocation's rules: hydration, the three states, expiry on read, validation before persistence, what
// is written when, and stored data that is not the library's.
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDate,
  IsInt,
  IsOptional,
  IsString,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import {
  hashSessionId,
  lambdaHandler,
  Session,
  SessionConflictError,
  SessionCorruptError,
  SessionData,
  type SessionLogger,
  SessionValidationError,
  type SessionOptions,
  type StoredSession,
} from '../../src';
import { type EngineStore, plant } from '../support/engine-store';
import { withFakeContext } from '../support/lambda';

class Item {
  @IsString() @MinLength(1) sku = '';
  @IsInt() @Min(1) qty = 1;
  @IsInt() @Min(0) price = 0;
  subtotal(): number {
    return this.qty * this.price;
  }
}

class Cart {
  @IsArray() @ArrayMaxSize(3) @ValidateNested({ each: true }) @Type(() => Item) items: Item[] = [];
  @IsOptional() @IsDate() @Type(() => Date) updated?: Date;
  total(): number {
    return this.items.reduce((sum, item) => sum + item.subtotal(), 0);
  }
}

type Response = { statusCode: number; headers: Record<string, string>; body: string };
type Invoke = (event: unknown) => Promise<Response>;

/** A cart handler whose body runs `act` on the injected cart and returns the cart as the handler saw it. */
function cartHandler(options: SessionOptions, act: (cart: Cart) => void | Promise<void> = () => {}): Invoke {
  class Handler {
    @Session(options)
    async handle(_event: unknown, @SessionData() cart: Cart): Promise<Response> {
      const seen = { isCart: cart instanceof Cart, total: cart.total(), items: cart.items.length };
      await act(cart);
      return { statusCode: 200, headers: {}, body: JSON.stringify(seen) };
    }
  }
  return withFakeContext(lambdaHandler(new Handler(), 'handle'));
}

const addItem =
  (sku: string, qty = 1, price = 100) =>
  (cart: Cart) => {
    cart.items.push(Object.assign(new Item(), { sku, qty, price }));
  };
const header = (id: string) => ({ headers: { 'session-id': id } });
const body = (r: Response) => JSON.parse(r.body) as { isCart: boolean; total: number; items: number };
const skus = (session: StoredSession | undefined) =>
  (JSON.parse(session!.data) as { items: Item[] }).items.map((i) => i.sku);

export function describeInvocationRules(local: EngineStore): void {
  const stored = (id: string) => local.store.load(hashSessionId(id));

  describe('hydration', () => {
    it('round-trips nested objects, arrays and dates as real instances with working methods', async () => {
      const at = new Date('2026-11-22T10:00:00.000Z');
      const first = await cartHandler({ update: true }, (cart) => {
        addItem('apple', 2, 150)(cart);
        cart.updated = at;
      })({});
      const id = first.headers['session-id']!;

      let seen: Cart | undefined;
      await cartHandler({ update: true }, (cart) => {
        seen = cart;
      })(header(id));

      expect(seen).toBeInstanceOf(Cart);
      expect(seen!.items[0]).toBeInstanceOf(Item);
      expect(seen!.items[0]!.subtotal()).toBe(300);
      expect(seen!.total()).toBe(300);
      expect(seen!.updated).toBeInstanceOf(Date);
      expect(seen!.updated!.getTime()).toBe(at.getTime());
    });

    it('gives a new session a fresh instance of the class', async () => {
      expect(body(await cartHandler({})({}))).toEqual({ isCart: true, total: 0, items: 0 });
    });
  });

  describe('the three states', () => {
    const clientId = 'my-own-client-made-id-0001';

    it('refuses an id the client made up by default, and issues its own', async () => {
      const response = await cartHandler({ update: true }, addItem('pear'))(header(clientId));
      const issued = response.headers['session-id']!;
      expect(issued).not.toBe(clientId);
      expect(issued).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await stored(clientId)).toBeUndefined();
      expect(await stored(issued)).toBeDefined();
    });

    it('adopts a well-formed client id with acceptClientId, then finds it again', async () => {
      const handler = cartHandler({ update: true, acceptClientId: true }, addItem('pear'));
      expect((await handler(header(clientId))).headers['session-id']).toBe(clientId);
      const second = await handler(header(clientId));
      expect(body(second).items).toBe(1);
      expect(body(await handler(header(clientId))).items).toBe(2);
    });

    it.each([
      ['too short', 'short-id'],
      ['a character outside base64url', 'abcdefghijklmnop+qrs'],
      ['too long', 'x'.repeat(129)],
    ])('does not adopt a client id that is %s, and never echoes it', async (_label, bad) => {
      const response = await cartHandler({ acceptClientId: true })(header(bad));
      expect(response.headers['session-id']).not.toBe(bad);
      expect(JSON.stringify(response)).not.toContain(bad);
    });
  });

  describe('expiry, enforced on read', () => {
    /** A session the library issued, then rewritten with the given times (epoch ms) and version 4. */
    async function plantSession(fields: { expiresAt?: number; createdAt: number; updatedAt: number }) {
      const id = (await cartHandler({ update: true }, addItem('old'))({})).headers['session-id']!;
      await plant(local.store, {
        key: hashSessionId(id),
        data: JSON.stringify({ items: [{ sku: 'old', qty: 1, price: 100 }] }),
        createdAt: fields.createdAt,
        updatedAt: fields.updatedAt,
        version: 4,
        expiresAt: fields.expiresAt,
      });
      return id;
    }
    const now = () => Date.now();
    /** An expiry in whole seconds, as DynamoDB's TTL attribute holds it. */
    const inSeconds = (ms: number) => Math.floor(ms / 1000) * 1000;

    it('treats a session whose expiry has passed as absent, though the store has not deleted it yet (DynamoDB TTL lags)', async () => {
      const id = await plantSession({
        expiresAt: inSeconds(now()) - 5000,
        createdAt: now() - 60_000,
        updatedAt: now() - 60_000,
      });
      const response = await cartHandler({ ttl: 3600 })(header(id));
      expect(body(response).items).toBe(0);
      expect(response.headers['session-id']).not.toBe(id);
      expect(await stored(id)).toBeDefined(); // still in the store: only the read decided
    });

    it('treats a session past its absolute timeout as absent, however recently used', async () => {
      const created = now() - 13 * 3600_000;
      const id = await plantSession({
        expiresAt: inSeconds(now()) + 3600_000,
        createdAt: created,
        updatedAt: now() - 1000,
      });
      expect(body(await cartHandler({})(header(id))).items).toBe(0);
      expect(body(await cartHandler({ absoluteTimeout: 0 })(header(id))).items).toBe(1);
    });

    it('applies a shortened idle ttl to sessions already stored', async () => {
      const id = await plantSession({
        expiresAt: inSeconds(now()) + 3600_000,
        createdAt: now() - 600_000,
        updatedAt: now() - 600_000,
      });
      expect(body(await cartHandler({ ttl: 300 })(header(id))).items).toBe(0);
      expect(body(await cartHandler({ ttl: 3600 })(header(id))).items).toBe(1); // the dead read left it as it was
    });

    it('never expires a session with both timeouts at 0, and stores no expiry for it', async () => {
      const id = (await cartHandler({ ttl: 0, absoluteTimeout: 0 }, addItem('x'))({})).headers['session-id']!;
      expect((await stored(id))?.expiresAt).toBeUndefined();
    });

    it('replaces the expired session of an adopted client id instead of failing on it', async () => {
      const clientId = 'client-chosen-id-000000001';
      await local.store.save(
        {
          key: hashSessionId(clientId),
          data: '{"items":[]}',
          createdAt: 1,
          updatedAt: 1,
          version: 7,
          expiresAt: 2000,
        },
        undefined,
      );
      const response = await cartHandler({ acceptClientId: true }, addItem('fresh'))(header(clientId));
      expect(response.headers['session-id']).toBe(clientId);
      const session = await stored(clientId);
      expect(session?.version).toBe(8);
      expect(skus(session)[0]).toBe('fresh');
    });
  });

  describe('validation before persistence', () => {
    it('throws SessionValidationError naming nested paths and leaves the stored session as it was', async () => {
      const id = (await cartHandler({ update: true }, addItem('apple'))({})).headers['session-id']!;
      const before = await stored(id);

      const breaking = cartHandler({ update: true }, (cart) => {
        cart.items[0]!.qty = 0;
        cart.items.push(Object.assign(new Item(), { sku: '', qty: 2 }));
      });
      const error = await breaking(header(id)).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(SessionValidationError);
      const validation = error as SessionValidationError;
      expect(validation.name).toBe('SessionValidationError');
      expect(validation.errors).toHaveLength(1);
      expect(validation.message).toContain('items.0.qty');
      expect(validation.message).toContain('[min]');
      expect(validation.message).toContain('items.1.sku');
      expect(validation.message).toContain('[minLength]');
      expect(await stored(id)).toEqual(before);
    });

    it('validates a new session too, and stores nothing when it fails', async () => {
      const tooMany = cartHandler({}, (cart) => ['a', 'b', 'c', 'd'].forEach((sku) => addItem(sku)(cart)));
      await expect(tooMany({})).rejects.toThrow(/items: .*\[arrayMaxSize\]/);
      expect(await local.count()).toBe(0);
    });

    it('passes validator options through: whitelist strips what the class does not declare', async () => {
      const handler = cartHandler({ update: true, validation: { whitelist: true } }, (cart) => {
        addItem('apple')(cart);
        Object.assign(cart, { injected: 'x' });
      });
      const id = (await handler({})).headers['session-id']!;
      expect(JSON.parse((await stored(id))!.data)).not.toHaveProperty('injected');
    });
  });

  describe('persistence rules', () => {
    it('writes nothing when the handler throws, and the error reaches the caller unchanged', async () => {
      const id = (await cartHandler({ update: true }, addItem('apple'))({})).headers['session-id']!;
      const before = await stored(id);
      const failure = new Error('handler failed');
      const throwing = cartHandler({ update: true }, (cart) => {
        addItem('pear')(cart);
        throw failure;
      });
      await expect(throwing(header(id))).rejects.toBe(failure);
      await expect(throwing({})).rejects.toBe(failure);
      expect(await stored(id)).toEqual(before);
      expect(await local.count()).toBe(1);
    });

    it('does not rewrite an existing session whose data did not change', async () => {
      const id = (await cartHandler({ update: true }, addItem('apple'))({})).headers['session-id']!;
      local.resetCalls();
      await cartHandler({ update: true, touchAfter: 3600 })(header(id));
      expect(local.calls()).toEqual(['load']);
    });

    it('slides the idle expiry of a read-only session with one touch once touchAfter has passed', async () => {
      const id = (await cartHandler({ ttl: 600 }, addItem('apple'))({})).headers['session-id']!;
      // Last used 2 s ago: as if the 1 s touchAfter had been waited for.
      const written = (await stored(id))!;
      await plant(local.store, {
        ...written,
        updatedAt: written.updatedAt - 2000,
        expiresAt: written.expiresAt! - 2000,
      });
      const before = (await stored(id))!;
      local.resetCalls();

      await cartHandler({ ttl: 600, touchAfter: 1 }, addItem('discarded'))(header(id));

      expect(local.calls()).toEqual(['load', 'touch']);
      const after = (await stored(id))!;
      expect(after.expiresAt).toBeGreaterThan(before.expiresAt!);
      expect(after.updatedAt).toBeGreaterThan(before.updatedAt);
      expect(after.data).toEqual(before.data);
      expect(after.version).toEqual(before.version);
    });

    it('never overwrites a concurrent write: the loser gets SessionConflictError and its changes are dropped', async () => {
      const id = (await cartHandler({ update: true }, addItem('apple'))({})).headers['session-id']!;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let loaded!: () => void;
      const slowLoaded = new Promise<void>((resolve) => (loaded = resolve));
      const slow = cartHandler({ update: true }, async (cart) => {
        loaded(); // the handler runs once the session is loaded
        await gate;
        addItem('slow')(cart);
      });
      const fast = cartHandler({ update: true }, addItem('fast'));
      const slowRun = slow(header(id));
      await slowLoaded;
      await fast(header(id));
      release();
      await expect(slowRun).rejects.toBeInstanceOf(SessionConflictError);
      expect(skus(await stored(id))).toEqual(['apple', 'fast']);
    });
  });

  describe('lost races, retried', () => {
    /** A logger that keeps the warnings. */
    const warningsTo = (warnings: unknown[][]): SessionLogger => ({
      debug() {},
      info() {},
      warn: (...args: unknown[]) => void warnings.push(args),
    });

    it("gives up after conflictRetries with SessionConflictError and a warning, the rival's write kept", async () => {
      const id = (await cartHandler({ update: true }, addItem('apple'))({})).headers['session-id']!;
      const warnings: unknown[][] = [];
      let runs = 0;
      const alwaysRaced = cartHandler(
        { update: true, onConflict: 'retry', conflictRetries: 2, logger: warningsTo(warnings) },
        async (cart) => {
          runs++;
          const read = (await stored(id))!;
          await local.store.save({ ...read, version: read.version + 1 }, read.version); // a rival wins each time
          addItem('mine')(cart);
        },
      );

      const error = await alwaysRaced(header(id)).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(SessionConflictError);
      expect(runs).toBe(3); // the first run and two retries
      expect(warnings.at(-1)).toEqual([
        'lambda-sessions: conflict retries exhausted',
        expect.objectContaining({ attempt: 2, reason: 'conflictRetries' }),
      ]);
      const after = (await stored(id))!;
      expect(skus(after)).toEqual(['apple']);
      expect(after.version).toBe(4); // ours 1, then the rival's three writes
    });

    it('runs again on a new session when the race was lost to a log-out', async () => {
      const id = (await cartHandler({ update: true }, addItem('apple'))({})).headers['session-id']!;
      let runs = 0;
      const loggedOutMeanwhile = cartHandler({ update: true, onConflict: 'retry' }, async (cart) => {
        if (runs++ === 0) await local.store.delete(hashSessionId(id)); // a rival destroys it after our read
        addItem('mine')(cart);
      });
      local.resetCalls();

      const response = await loggedOutMeanwhile(header(id));

      // Our read, the rival's delete, our lost write; then (a store may leave the reread to the engine) the
      // retry's write.
      expect(local.calls().slice(0, 3)).toEqual(['load', 'delete', 'save']);
      expect(local.calls().at(-1)).toBe('save');
      expect(runs).toBe(2);
      expect(body(response).items).toBe(0); // the retry ran on a fresh cart
      const issued = response.headers['session-id']!;
      expect(issued).not.toBe(id);
      expect(skus(await stored(issued))).toEqual(['mine']);
      expect(await stored(id)).toBeUndefined();
    });
  });

  describe('stored data the library did not write', () => {
    it('reports stored data that is not JSON', async () => {
      const id = (await cartHandler({})({})).headers['session-id']!;
      await plant(local.store, { ...(await stored(id))!, data: '{not json' });
      await expect(cartHandler({})(header(id))).rejects.toThrow(/is not JSON/);
    });

    it('reports stored JSON that is not an object the session class can be made from', async () => {
      const id = (await cartHandler({})({})).headers['session-id']!;
      await plant(local.store, { ...(await stored(id))!, data: '[{"sku":"apple"}]' });
      const error = await cartHandler({})(header(id)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessionCorruptError);
      expect((error as Error).message).toMatch(/is an array, not an object that can become a Cart/);
    });
  });
}
