// Standard Schema as the session's shape, the parts that need no store of their own: what is refused when the
// handler is defined, how issues become a SessionValidationError, the middy middleware. The load and write rules
// run on memory and dynalite in spec/engine-rules/standard-schema.ts.
import { type StandardSchemaV1 } from '@standard-schema/spec';
import * as v from 'valibot';
import {
  configureSessions,
  getSessionData,
  lambdaHandler,
  MemorySessionStore,
  Session,
  SessionConfigurationError,
  SessionData,
  SessionMetadataError,
  type SessionSchema,
  SessionValidationError,
  setSessionData,
  withSession,
} from '../src';
import { sessionMiddleware } from '../src/middy';
import { withFakeContext } from './support/lambda';

class Counter {
  n = 0;
}
const Count = v.object({ n: v.optional(v.number(), 0) });

/** A hand-made Standard Schema whose `validate` answers `result` (a schema library's, as a unit test fake). */
function fakeSchema(
  validate: (value: unknown) => StandardSchemaV1.Result<unknown> | Promise<StandardSchemaV1.Result<unknown>>,
): SessionSchema {
  return { '~standard': { version: 1, vendor: 'fake', validate } };
}

const noHeaders = async (_event: unknown) => ({ statusCode: 200, headers: {} as Record<string, string> });

beforeEach(() => configureSessions({ store: new MemorySessionStore() }));

describe('the schema option, checked where it is given', () => {
  it('refuses type and schema together, naming both', () => {
    expect(() => withSession(noHeaders, { type: Counter, schema: Count })).toThrow(SessionConfigurationError);
    expect(() => withSession(noHeaders, { type: Counter, schema: Count })).toThrow(
      /^withSession\(\): both type and schema are given; .*keep type .* or schema/,
    );
    expect(() => sessionMiddleware({ type: Counter, schema: Count })).toThrow(
      /^sessionMiddleware\(\): both type and schema are given/,
    );
  });

  it('refuses a schema that is not a Standard Schema validator', () => {
    for (const schema of [{}, { '~standard': {} }, { '~standard': null }, 'valibot', 42]) {
      expect(() => withSession(noHeaders, { schema: schema as unknown as SessionSchema })).toThrow(
        /^withSession\(\): schema must be a Standard Schema validator \(valibot, zod, arktype/,
      );
    }
  });

  it('takes null as no schema, as it takes null as no type', async () => {
    const handler = withSession(
      async (_event: unknown) => {
        setSessionData({ any: 'thing' });
        return { headers: {} as Record<string, string> };
      },
      { schema: null as unknown as undefined, type: null as unknown as undefined },
    );
    await expect(handler({})).resolves.toBeDefined();
  });

  it('refuses, at the first new session, a schema that refuses {}, saying how to give it defaults', async () => {
    const handler = withSession(noHeaders, { schema: v.object({ n: v.number() }) });
    const error = (await handler({}).catch((e: unknown) => e)) as SessionConfigurationError;
    expect(error).toBeInstanceOf(SessionConfigurationError);
    expect(error.message).toMatch(
      /^The session schema \(valibot\) refuses \{\}, which a new session starts from/,
    );
    expect(error.message).toMatch(/v\.optional\(v\.array\(Item\), \[\]\)/);
    expect(error.cause).toBeInstanceOf(SessionValidationError);
  });

  it("lets a schema's own exception through unchanged", async () => {
    const thrown = new Error('the schema broke');
    const handler = withSession(noHeaders, {
      schema: fakeSchema(() => {
        throw thrown;
      }),
    });
    await expect(handler({})).rejects.toBe(thrown);
  });

  it('takes an arktype-like schema (a function with ~standard) in @SessionData() as a schema, not a class', async () => {
    const validate = (value: unknown): StandardSchemaV1.Result<unknown> => ({
      value: { ...(value as object), seen: true },
    });
    const schema = Object.assign(() => undefined, {
      '~standard': { version: 1 as const, vendor: 'fake', validate },
    });
    let got: unknown;
    class Handler {
      @Session()
      async handle(_event: unknown, @SessionData(schema) data: object) {
        got = data;
        return { statusCode: 200, headers: {} };
      }
    }
    await withFakeContext(lambdaHandler(new Handler(), 'handle'))({});
    expect(got).toEqual({ seen: true });
  });

  it('still refuses a @SessionData() argument that is neither a class nor a schema', () => {
    expect(() => SessionData({} as unknown as SessionSchema)).not.toThrow(); // the decorator factory itself
    expect(() => {
      class Handler {
        @Session()
        async handle(_event: unknown, @SessionData('Cart' as unknown as SessionSchema) data: object) {
          return data;
        }
      }
      return Handler;
    }).toThrow(SessionMetadataError);
  });
});

describe('issues as a SessionValidationError', () => {
  async function failure(issues: StandardSchemaV1.Issue[], data: unknown): Promise<SessionValidationError> {
    const schema = fakeSchema((value) =>
      JSON.stringify(value) === JSON.stringify(data) ? { issues } : { value },
    );
    const handler = withSession(
      async (_event: unknown) => {
        setSessionData(data);
        return { headers: {} as Record<string, string> };
      },
      { schema },
    );
    return (await handler({}).catch((e: unknown) => e)) as SessionValidationError;
  }

  it('joins plain keys, symbols and { key } segments into the property path; no path is the root', async () => {
    const error = await failure(
      [
        { message: 'bad', path: ['items', 0, { key: 'sku' }] },
        { message: 'odd', path: [Symbol('tag')] },
        { message: 'whole' },
      ],
      { items: [{ sku: 'x' }] },
    );
    expect(error.source).toBe('handler');
    expect(error.errors.map((e) => e.property)).toEqual(['items.0.sku', 'Symbol(tag)', '']);
    expect(error.message).toMatch(
      /items\.0\.sku: bad \[fake\]; Symbol\(tag\): odd \[fake\]; \(root\): whole \[fake\]\. Fix the handler or the fake schema/,
    );
  });

  it('takes the value at the path out of the message, bare and as JSON, and keeps what is not the value', async () => {
    const error = await failure(
      [
        { message: 'got "hunter2" (hunter2)', path: ['password'] },
        { message: 'got true', path: ['admin'] },
        { message: 'got an object', path: ['nested'] },
        { message: 'nothing there: ', path: ['missing', 'deeper'] },
        { message: 'empty: ""', path: ['empty'] },
      ],
      { password: 'hunter2', admin: true, nested: { a: 1 }, empty: '' },
    );
    expect(error.message).toContain('password: got [value] ([value]) [fake]');
    expect(error.message).toContain('admin: got [value] [fake]');
    expect(error.message).toContain('nested: got an object [fake]');
    expect(error.message).toContain('missing.deeper: nothing there:  [fake]');
    expect(error.message).toContain('empty: empty: [value] [fake]');
    expect(JSON.stringify(error.errors)).not.toContain('hunter2');
  });

  it('bounds and escapes what an issue says, as for class-validator', async () => {
    const error = await failure(
      Array.from({ length: 25 }, (_, i) => ({
        message: `line\r\nbreak ${'x'.repeat(400)}`,
        path: [`k${i}\n`],
      })),
      { k0: 1 },
    );
    expect(error.message).not.toMatch(/[\r\n]/);
    expect(error.message).toMatch(/; and 5 more\./);
    expect(error.message).not.toMatch(/x{301}/);
  });
});

describe('validation: false with a schema', () => {
  it('writes the data without asking the schema, as it skips class-validator', async () => {
    let asked = 0;
    const schema = fakeSchema((value) => {
      asked++;
      return value === undefined || (typeof value === 'object' && Object.keys(value as object).length === 0)
        ? { value: {} }
        : { issues: [{ message: 'no' }] };
    });
    const handler = withSession(
      async (_event: unknown) => {
        setSessionData({ n: 1 });
        return { headers: {} as Record<string, string> };
      },
      { schema, validation: false },
    );
    await expect(handler({})).resolves.toBeDefined();
    expect(asked).toBe(1); // the new session's {}, not the write
  });
});

describe('sessionMiddleware({ schema })', () => {
  it("puts the schema's output on context.session and stores the output", async () => {
    const middleware = sessionMiddleware({
      schema: v.object({ name: v.optional(v.pipe(v.string(), v.trim()), '') }),
      update: true,
    });
    const run = async (event: unknown, change: (data: { name: string }) => void) => {
      const request = {
        event,
        context: {} as { session?: { data: { name: string } } },
        response: undefined as unknown,
      };
      await middleware.before(request);
      const data = request.context.session!.data;
      change(data);
      request.response = { statusCode: 200, headers: {}, body: '' };
      await middleware.after(request);
      return {
        data: structuredClone(data),
        response: request.response as { headers: Record<string, string> },
      };
    };
    const first = await run({}, (data) => {
      data.name = '  Eve  ';
    });
    expect(first.data).toEqual({ name: '  Eve  ' });
    const id = first.response.headers['session-id']!;
    const second = await run({ headers: { 'session-id': id } }, () => undefined);
    expect(second.data).toEqual({ name: 'Eve' });
  });
});

it('reads a counter through getSessionData() with a schema on withSession()', async () => {
  const handler = withSession(
    async (_event: unknown) => {
      const { n } = getSessionData<{ n: number }>();
      setSessionData({ n: n + 1 });
      return { headers: {} as Record<string, string>, body: String(n + 1) };
    },
    { schema: Count, update: true },
  );
  const first = await handler({});
  const second = await handler({ headers: { 'session-id': first.headers['session-id']! } });
  expect([first.body, second.body]).toEqual(['1', '2']);
});
