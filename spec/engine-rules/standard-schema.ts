// A Standard Schema validator (valibot here) as the session's shape: parsed on load, validated before every
// write, its output what is stored; the same rules for stored data and handler data as a session class.
import * as v from 'valibot';
import {
  hashSessionId,
  lambdaHandler,
  Session,
  SessionData,
  type SessionLogger,
  type SessionOptions,
  SessionValidationError,
  getSessionData,
  setSessionData,
  withSession,
} from '../../src';
import { type EngineStore, plant } from '../support/engine-store';
import { withFakeContext } from '../support/lambda';

const Item = v.object({
  sku: v.pipe(v.string(), v.minLength(1)),
  qty: v.pipe(v.number(), v.integer(), v.minValue(1)),
});
/** A transforming schema: the owner is trimmed and lower-cased, `items` defaults to []. */
const Cart = v.object({
  owner: v.optional(v.pipe(v.string(), v.trim(), v.toLowerCase()), ''),
  items: v.optional(v.array(Item), []),
});
type Cart = v.InferOutput<typeof Cart>;

type Response = { statusCode: number; headers: Record<string, string>; body: string };
const header = (id: string) => ({ headers: { 'session-id': id } });
const ok = (body: unknown): Response => ({ statusCode: 200, headers: {}, body: JSON.stringify(body) });

let seen: unknown[] = [];

/** A withSession() handler on `schema` that hands the loaded data to `seen` and then applies `change`. */
function handler(
  change: (cart: Cart) => unknown,
  options: SessionOptions = {},
  schema: v.GenericSchema | v.GenericSchemaAsync = Cart,
) {
  return withSession(
    async (_event: unknown) => {
      const cart = getSessionData<Cart>();
      seen.push(structuredClone(cart));
      const next = change(cart);
      if (next !== undefined) setSessionData(next);
      return ok(getSessionData());
    },
    { update: true, schema, ...options },
  );
}

const addApple = (cart: Cart) => void cart.items.push({ sku: 'apple', qty: 2 });

export function describeStandardSchemaRules(local: EngineStore): void {
  const stored = (id: string) => local.store.load(hashSessionId(id));
  const storedData = async (id: string): Promise<unknown> => JSON.parse((await stored(id))!.data);

  describe('a Standard Schema (valibot) as the session shape', () => {
    beforeEach(() => {
      seen = [];
    });

    it("starts a new session as the schema's output for {}, stores it, and loads the parsed output", async () => {
      const id = (await handler(addApple)({})).headers['session-id']!;
      expect(seen).toEqual([{ owner: '', items: [] }]); // the schema's defaults
      expect(await storedData(id)).toEqual({ owner: '', items: [{ sku: 'apple', qty: 2 }] });

      await handler(addApple)(header(id));
      expect(seen[1]).toEqual({ owner: '', items: [{ sku: 'apple', qty: 2 }] });
      expect(await storedData(id)).toEqual({
        owner: '',
        items: [
          { sku: 'apple', qty: 2 },
          { sku: 'apple', qty: 2 },
        ],
      });
    });

    it("stores the schema's output, not the handler's input, when the schema transforms", async () => {
      const id = (await handler(() => ({ owner: '  Alice ', items: [], extra: 'stripped' }))({})).headers[
        'session-id'
      ]!;
      expect(await storedData(id)).toEqual({ owner: 'alice', items: [] }); // trimmed, lower-cased, key stripped
      await handler(() => undefined)(header(id));
      expect(seen[1]).toEqual({ owner: 'alice', items: [] });
    });

    it('refuses at the write a transform whose output the schema does not accept back: nothing is stored', async () => {
      // string -> number: the stored output (a number) would fail every later read
      const Counter = v.object({ n: v.pipe(v.string(), v.transform(Number)) });
      const id = (await handler(() => ({ n: '1' }), {}, v.object({ n: v.optional(v.unknown()) }))({}))
        .headers['session-id']!;
      const before = await stored(id);
      const error = (await handler(
        () => ({ n: '2' }),
        {},
        Counter,
      )(header(id)).catch((e: unknown) => e)) as SessionValidationError;
      expect(error).toBeInstanceOf(SessionValidationError);
      expect(error.source).toBe('handler');
      expect(error.message).toMatch(
        /^Session data is invalid \(as the handler left it, nothing was written\): n: /,
      );
      expect(error.message).toMatch(/\[valibot\]. Fix the handler or the valibot schema/);
      expect(await stored(id)).toEqual(before);
    });

    it('refuses invalid handler data with a SessionValidationError naming the paths, without the values', async () => {
      const id = (await handler(addApple)({})).headers['session-id']!;
      const before = await stored(id);
      const error = (await handler((cart) => {
        cart.items.push({ sku: '', qty: 0 });
        return { ...cart, owner: 17 };
      })(header(id)).catch((e: unknown) => e)) as SessionValidationError;
      expect(error).toBeInstanceOf(SessionValidationError);
      expect(error.source).toBe('handler');
      expect(error.message).toMatch(
        /owner: Invalid type: Expected string but received \[value\] \[valibot\]/,
      );
      expect(error.message).toMatch(
        /items\.1\.sku: Invalid length: Expected >=1 but received 0 \[valibot\]/, // the length, not the value
      );
      expect(error.message).toMatch(
        /items\.1\.qty: Invalid value: Expected >=1 but received \[value\] \[valibot\]/,
      );
      expect(error.message).not.toMatch(/received (17|"")/);
      expect(await stored(id)).toEqual(before);
    });

    async function plantInvalid(data: unknown = { owner: 'bob', items: [{ sku: 'secret-sku', qty: -3 }] }) {
      const id = (await handler(addApple)({})).headers['session-id']!;
      await plant(local.store, { ...(await stored(id))!, data: JSON.stringify(data) });
      seen = [];
      return id;
    }

    it('refuses invalid stored data with a SessionValidationError from the store; the handler never sees it', async () => {
      const id = await plantInvalid({ owner: 'bob', items: [{ sku: 42, qty: -3 }] });
      const before = await stored(id);
      const error = (await handler(addApple)(header(id)).catch((e: unknown) => e)) as SessionValidationError;
      expect(error).toBeInstanceOf(SessionValidationError);
      expect(error.source).toBe('store');
      expect(error.message).toMatch(/as read from the store.*items\.0\.sku.*items\.0\.qty/);
      expect(error.message).toMatch(/The session valibot schema changed since it was stored/);
      expect(error.message).not.toMatch(/received (42|-3)/);
      expect(error.errors.map((e) => e.property)).toEqual(['items.0.sku', 'items.0.qty']);
      expect(seen).toEqual([]);
      expect(await stored(id)).toEqual(before);
    });

    it("starts afresh under the same id with onInvalidStored: 'reset', and logs it", async () => {
      const id = await plantInvalid();
      const warnings: unknown[] = [];
      const logger: SessionLogger = { debug() {}, info() {}, warn: (message) => void warnings.push(message) };
      const response = await handler(addApple, { onInvalidStored: 'reset', logger })(header(id));
      expect(response.headers['session-id']).toBe(id);
      expect(seen).toEqual([{ owner: '', items: [] }]);
      expect(await storedData(id)).toEqual({ owner: '', items: [{ sku: 'apple', qty: 2 }] });
      expect(warnings).toEqual(['lambda-sessions: stored session invalid, starting afresh']);
    });

    it('hands the stored JSON to the handler unparsed with validateOnLoad: false, as the developer chose', async () => {
      const id = await plantInvalid();
      await handler(() => undefined, { validateOnLoad: false, update: false })(header(id));
      expect(seen).toEqual([{ owner: 'bob', items: [{ sku: 'secret-sku', qty: -3 }] }]);
    });

    it('migrates data stored under an older version, then parses it with the schema', async () => {
      const id = await plantInvalid({ lines: [{ sku: 'pear', qty: 1 }] });
      const migrate = (data: unknown, from: number) => {
        expect(from).toBe(1);
        return { owner: ' Carol', items: (data as { lines: unknown[] }).lines };
      };
      await handler(addApple, { version: 2, migrate })(header(id));
      expect(seen).toEqual([{ owner: 'carol', items: [{ sku: 'pear', qty: 1 }] }]);
      expect((await stored(id))?.schemaVersion).toBe(2);
      expect(await storedData(id)).toEqual({
        owner: 'carol',
        items: [
          { sku: 'pear', qty: 1 },
          { sku: 'apple', qty: 2 },
        ],
      });

      const error = await handler(addApple, { version: 3 })(header(id)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessionValidationError);
      expect((error as Error).message).toMatch(
        /schema version 2, this code reads 3 and has no migrate function/,
      );
    });

    it('works with an async schema, on load and on write', async () => {
      let checks = 0;
      const AtMostThree = v.pipeAsync(
        Cart,
        v.checkAsync(async (cart) => {
          checks++;
          await new Promise((resolve) => setImmediate(resolve));
          return cart.items.length <= 3;
        }, 'at most three items'),
      );
      const id = (await handler(addApple, {}, AtMostThree)({})).headers['session-id']!;
      await handler(addApple, {}, AtMostThree)(header(id));
      await handler(addApple, {}, AtMostThree)(header(id));
      expect(seen[2]).toEqual({
        owner: '',
        items: [
          { sku: 'apple', qty: 2 },
          { sku: 'apple', qty: 2 },
        ],
      });
      expect(checks).toBeGreaterThan(0);
      const before = await stored(id);
      const error = (await handler(
        addApple,
        {},
        AtMostThree,
      )(header(id)).catch((e: unknown) => e)) as SessionValidationError;
      expect(error.source).toBe('handler');
      expect(error.message).toMatch(/\(root\): at most three items \[valibot\]/);
      expect(await stored(id)).toEqual(before);
    });

    it('shapes a @SessionData(schema) parameter the same way', async () => {
      class Handler {
        @Session({ update: true })
        async handle(_event: unknown, @SessionData(Cart) cart: Cart): Promise<Response> {
          seen.push(structuredClone(cart));
          cart.owner = ' Dave';
          cart.items.push({ sku: 'fig', qty: 1 });
          return ok(cart);
        }
      }
      const invoke = withFakeContext(lambdaHandler(new Handler(), 'handle'));
      const id = (await invoke({})).headers['session-id']!;
      await invoke(header(id));
      expect(seen).toEqual([
        { owner: '', items: [] },
        { owner: 'dave', items: [{ sku: 'fig', qty: 1 }] },
      ]);
      expect(await storedData(id)).toEqual({
        owner: 'dave',
        items: [
          { sku: 'fig', qty: 1 },
          { sku: 'fig', qty: 1 },
        ],
      });
    });
  });
}
