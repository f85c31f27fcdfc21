// Deployments that change the session class, against sessions an earlier deployment stored.
import { Type } from 'class-transformer';
import { IsArray, IsInt, IsString, Max, Min, MinLength, ValidateBy, ValidateNested } from 'class-validator';
import {
  hashSessionId,
  lambdaHandler,
  Session,
  SessionData,
  type SessionLogger,
  SessionNewerSchemaError,
  type SessionOptions,
  SessionValidationError,
} from '../../src';
import { type EngineStore, plant } from '../support/engine-store';
import { withFakeContext } from '../support/lambda';

// Deployment 1: a cart of `lines`, each { sku, qty }.
class LineV1 {
  @IsString() sku = '';
  @IsInt() @Min(1) qty = 1;
}
class CartV1 {
  @IsArray() @ValidateNested({ each: true }) @Type(() => LineV1) lines: LineV1[] = [];
}

// Deployment 2: `lines` renamed `items`, and each item has a price now.
class ItemV2 {
  @IsString() @MinLength(1) sku = '';
  @IsInt() @Min(1) qty = 1;
  @IsInt() @Min(0) price = 0;
}
class CartV2 {
  @IsArray() @ValidateNested({ each: true }) @Type(() => ItemV2) items!: ItemV2[];
  count(): number {
    return this.items.reduce((n, i) => n + i.qty, 0);
  }
}

type Response = { statusCode: number; headers: Record<string, string>; body: string };
type Invoke = (event: unknown) => Promise<Response>;
let ran = 0;

function v1(): Invoke {
  class Handler {
    @Session({ update: true })
    async handle(_e: unknown, @SessionData() cart: CartV1): Promise<Response> {
      cart.lines.push(Object.assign(new LineV1(), { sku: 'apple', qty: 2 }));
      return { statusCode: 200, headers: {}, body: '' };
    }
  }
  return withFakeContext(lambdaHandler(new Handler(), 'handle'));
}

function v2(options: SessionOptions = {}): Invoke {
  class Handler {
    @Session({ update: true, version: 2, ...options })
    async handle(_e: unknown, @SessionData() cart: CartV2): Promise<Response> {
      ran++;
      cart.items ??= [];
      cart.items.push(Object.assign(new ItemV2(), { sku: 'pear', qty: 1, price: 90 }));
      return { statusCode: 200, headers: {}, body: String(cart.count()) };
    }
  }
  return withFakeContext(lambdaHandler(new Handler(), 'handle'));
}

const migrate = (data: unknown, from: number) => {
  expect(from).toBe(1);
  const { lines } = data as { lines: { sku: string; qty: number }[] };
  return { items: lines.map((l) => ({ ...l, price: 0 })) };
};

const header = (id: string) => ({ headers: { 'session-id': id } });

export function describeSchemaRules(local: EngineStore): void {
  const stored = (id: string) => local.store.load(hashSessionId(id));

  describe('a session stored by the previous deployment', () => {
    beforeEach(() => {
      ran = 0;
    });

    it('is refused with a SessionValidationError from the store when the schema changed and nothing migrates it', async () => {
      const id = (await v1()({})).headers['session-id']!;
      const before = await stored(id);
      expect(before?.schemaVersion).toBe(1);

      const error = await v2()(header(id)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessionValidationError);
      expect((error as SessionValidationError).source).toBe('store');
      expect((error as Error).message).toMatch(
        /schema version 1, this code reads 2 and has no migrate function/,
      );
      expect((error as Error).message).toMatch(/migrate function, or set onInvalidStored: 'reset'/);
      expect(ran).toBe(0);
      expect(await stored(id)).toEqual(before); // no silent reset
    });

    it('is upgraded by migrate, handed to the handler as the new class, and stored under the new version', async () => {
      const id = (await v1()({})).headers['session-id']!;
      expect((await v2({ migrate })(header(id))).body).toBe('3'); // apple x2, then pear x1
      const session = await stored(id);
      expect(session?.schemaVersion).toBe(2);
      expect(JSON.parse(session!.data)).toEqual({
        items: [
          { sku: 'apple', qty: 2, price: 0 },
          { sku: 'pear', qty: 1, price: 90 },
        ],
      });
      expect((await v2({ migrate })(header(id))).body).toBe('4'); // no migration the second time
    });

    it('written by a newer deployment (a rollback) is refused, saying so', async () => {
      const id = (await v2()({})).headers['session-id']!;
      const error = await v2({ version: 1 })(header(id)).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/schema version 2, newer than this code's 1/);
    });

    it("written by a newer deployment is left in the store as it was, even with onInvalidStored: 'reset'", async () => {
      const id = (await v2()({})).headers['session-id']!;
      const before = await stored(id);

      for (const update of [false, true]) {
        const error = await v2({ version: 1, update, onInvalidStored: 'reset' })(header(id)).catch(
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(SessionNewerSchemaError);
        expect((error as Error).message).toMatch(/written by a later deployment/);
        expect((error as Error).message).not.toMatch(/onInvalidStored: 'reset' to start/);
      }

      expect(ran).toBe(1); // the first invocation, by deployment 2: deployment 1's handler never ran
      expect(await stored(id)).toEqual(before);
    });
  });

  describe('stored data that fails validation', () => {
    beforeEach(() => {
      ran = 0;
    });

    async function plantInvalid(): Promise<string> {
      const id = (await v2()({})).headers['session-id']!;
      // As an older deployment, or one with validation off, left it: no fingerprint of rules it passed.
      const { validatedRules: _passed, ...session } = (await stored(id))!;
      await plant(local.store, {
        ...session,
        data: JSON.stringify({ items: [{ sku: '', qty: -3, price: 1 }] }),
      });
      ran = 0;
      return id;
    }

    it('is a SessionValidationError from the store, naming the paths, and the handler never sees it', async () => {
      const id = await plantInvalid();
      const error = (await v2()(header(id)).catch((e: unknown) => e)) as SessionValidationError;
      expect(error.source).toBe('store');
      expect(error.message).toMatch(/as read from the store.*items\.0\.sku.*items\.0\.qty/);
      expect(ran).toBe(0);
    });

    it("starts afresh under the same id with onInvalidStored: 'reset', and logs it", async () => {
      const id = await plantInvalid();
      const warnings: unknown[][] = [];
      const logger = {
        debug() {},
        info() {},
        error() {},
        warn: (...args: unknown[]) => void warnings.push(args),
      } as SessionLogger;
      const response = await v2({ onInvalidStored: 'reset', logger })(header(id));
      expect(response.headers['session-id']).toBe(id);
      expect(response.body).toBe('1');
      expect(JSON.parse((await stored(id))!.data)).toEqual({
        items: [{ sku: 'pear', qty: 1, price: 90 }],
      });
      expect(warnings.map((w) => w[0])).toEqual(['lambda-sessions: stored session invalid, starting afresh']);
      expect(JSON.stringify(warnings)).not.toContain(id);
    });

    it('reaches the handler with validateOnLoad: false, as the developer chose', async () => {
      const id = await plantInvalid();
      await expect(v2({ validateOnLoad: false, update: false })(header(id))).resolves.toBeDefined();
      expect(ran).toBe(1);
    });
  });

  describe('one validation pass: a load validates only what may fail', () => {
    // Every validation of a Counted session, load or write, counts one; the handler changes nothing.
    let validations = 0;
    const counted = () =>
      ValidateBy({ name: 'counted', validator: { validate: () => (validations++, true) } });
    class Tally {
      @IsInt() @Min(0) @Max(10) n = 5;
    }
    class Counted {
      @counted() @ValidateNested() @Type(() => Tally) tally = new Tally();
    }
    // The same class, same version, one rule stricter in the nested class: deployed without a version bump.
    class StricterTally {
      @IsInt() @Min(0) @Max(3) n = 5;
    }
    class CountedStricter {
      @counted() @ValidateNested() @Type(() => StricterTally) tally = new StricterTally();
    }
    function reader(type: new () => object, options: SessionOptions = {}): Invoke {
      class Handler {
        @Session({ saveUninitialized: true, ...options })
        async handle(_e: unknown, @SessionData(type) _data: object): Promise<Response> {
          return { statusCode: 200, headers: {}, body: '' };
        }
      }
      return withFakeContext(lambdaHandler(new Handler(), 'handle'));
    }
    async function written(options: SessionOptions = {}): Promise<string> {
      const id = (await reader(Counted, options)({})).headers['session-id']!;
      validations = 0;
      return id;
    }

    it('does not validate data this code wrote under the same rules, which the write validated', async () => {
      const id = await written();
      expect((await stored(id))?.validatedRules).toMatch(/^[\w-]{22}$/);
      await reader(Counted)(header(id));
      await reader(Counted)(header(id));
      expect(validations).toBe(0);
    });

    it('validates a class changed without a version bump, and fails as stricter rules do', async () => {
      const id = await written();
      const error = await reader(CountedStricter)(header(id)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessionValidationError);
      expect((error as SessionValidationError).source).toBe('store');
      expect((error as Error).message).toMatch(/tally\.n/);
      expect(validations).toBe(1);
    });

    it('validates under other validation options than the data was written with', async () => {
      const id = await written();
      await reader(Counted, { validation: { forbidNonWhitelisted: true, whitelist: true } })(header(id));
      expect(validations).toBe(1);
    });

    it('validates data written without validation, or by a library without fingerprints', async () => {
      const id = await written({ validation: false });
      expect((await stored(id))?.validatedRules).toBeUndefined();
      await reader(Counted)(header(id));
      expect(validations).toBe(1);
    });

    it("validates every load with validateOnLoad: 'always', and none with false", async () => {
      const id = await written();
      await reader(Counted, { validateOnLoad: 'always' })(header(id));
      await reader(Counted, { validateOnLoad: 'always' })(header(id));
      expect(validations).toBe(2);
      await reader(CountedStricter, { validateOnLoad: false })(header(id));
      expect(validations).toBe(2);
    });

    it('validates migrated data, whatever rules it passed under its old version', async () => {
      const id = await written();
      await reader(Counted, { version: 2, migrate: (data) => data })(header(id));
      expect(validations).toBe(1);
    });
  });
}
