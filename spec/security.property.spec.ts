// Hostile client input, property-tested: thousands of random and malicious events per property.
import fc from 'fast-check';
import { IsOptional, IsString } from 'class-validator';
import {
  configureSessions,
  hashSessionId,
  lambdaHandler,
  MemorySessionStore,
  Session,
  SessionData,
  type StoredSession,
} from '../src';
import { cookieValue, setCookies } from './support/events';
import { withFakeContext } from './support/lambda';

class Profile {
  @IsOptional() @IsString() name?: string;
}

type Response = { statusCode: number; headers: Record<string, string>; cookies?: string[] };
type Invoke = (event: unknown) => Promise<Response>;

function strictHandler(store: MemorySessionStore, cookie = true): Invoke {
  class Handler {
    @Session({ store, update: true, cookie: cookie && { name: 'sid' } })
    async handle(_event: unknown, @SessionData() profile: Profile): Promise<Response> {
      profile.name ??= 'visitor';
      return { statusCode: 200, headers: {} };
    }
  }
  return withFakeContext(lambdaHandler(new Handler(), 'handle'));
}

const RUNS = Number(process.env.PROPERTY_RUNS ?? 2000);
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

// --- Arbitraries: what a hostile client (or a broken proxy) can put in an event -------------------------

const nasty = fc.constantFrom(
  'a\r\nSet-Cookie: evil=1',
  'x\u0000y',
  '\u2028\u2029',
  '😀'.repeat(50),
  '%00%0d%0a',
  '__proto__',
  'sid=a; sid=b',
  'sid=' + 'A'.repeat(43) + '\r\n',
  ' '.repeat(10) + 'B'.repeat(43),
  'A'.repeat(42) + '=',
);
const idLike = fc.stringMatching(/^[A-Za-z0-9_-]{43}$/);
const big = fc.nat({ max: 3 }).map((n) => 'Z'.repeat(100_000 + n));
const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme', maxLength: 40 }), nasty, idLike, big);
const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: text },
  fc.array(text, { maxLength: 3 }),
  fc.integer(),
  fc.constant(null),
  fc.record({ toString: fc.constant('x') }),
);
const headerName = fc.oneof(
  fc.constantFrom('session-id', 'Session-Id', 'SESSION-ID', 'cookie', 'Cookie', '__proto__', 'constructor'),
  fc.string({ maxLength: 12 }),
);
/** Objects built from entries, so `__proto__` becomes an own key, as JSON.parse makes it in Lambda. */
const headers = fc
  .array(fc.tuple(headerName, value), { maxLength: 6 })
  .map((entries) => Object.fromEntries(entries));
const event: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      {
        headers: fc.oneof(headers, value),
        multiValueHeaders: fc.oneof(headers, value),
        cookies: fc.oneof(fc.array(text, { maxLength: 4 }), value),
        version: fc.constantFrom('2.0', '1.0', undefined),
        requestContext: fc.constantFrom(undefined, { elb: {} }, { domainName: 'x.lambda-url.y' }, null),
      },
      { requiredKeys: [] },
    ),
  },
  value,
  fc.constant(undefined),
);

// --- Properties ---------------------------------------------------------------------------------------------

describe('hostile client input', () => {
  beforeEach(() => configureSessions({}));

  it('never makes the library throw, and always yields a fresh well-formed id', async () => {
    await fc.assert(
      fc.asyncProperty(event, async (e) => {
        const response = await strictHandler(new MemorySessionStore())(e);
        const id = response.headers?.['session-id'] ?? cookieValue(response, 'sid');
        expect(id).toMatch(SESSION_ID);
        // No header or cookie value we send may split the response: no CR, LF or NUL.
        const sent = [...Object.values(response.headers ?? {}), ...setCookies(response)].map(String);
        expect(sent.filter((v) => ['\r', '\n', '\0'].some((c) => v.includes(c)))).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('never writes an item for an id the server did not issue (strict mode)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(idLike, text), fc.boolean(), async (clientId, viaCookie) => {
        const store = new MemorySessionStore();
        const e = viaCookie
          ? { version: '2.0', cookies: [`sid=${clientId}`] }
          : { headers: { 'session-id': clientId } };
        await strictHandler(store)(e);
        expect(store.size).toBe(1);
        expect(await store.load(hashSessionId(clientId))).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it('never changes or loses a valid session through bad requests for others', async () => {
    const store = new MemorySessionStore();
    const handler = strictHandler(store);
    const id = cookieValue(await handler({ headers: {} }), 'sid')!;
    const before = await store.load(hashSessionId(id));
    await fc.assert(
      fc.asyncProperty(event, async (e) => {
        if (JSON.stringify(e ?? null).includes(id)) return; // a request for this very session is not "another"
        await handler(e);
        expect(await store.load(hashSessionId(id))).toEqual(before);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('prototype pollution', () => {
  const pollutedKeys = () => Object.getOwnPropertyNames(Object.prototype).sort();
  const baseline = pollutedKeys();

  it('never pollutes Object.prototype from headers, cookies or stored data', async () => {
    const poison = fc.constantFrom(
      '{"__proto__":{"polluted":true}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      '{"name":"x","__proto__":{"isAdmin":true}}',
      '{"__proto__":{"__proto__":{"polluted":true}}}',
    );
    await fc.assert(
      fc.asyncProperty(poison, event, fc.boolean(), async (data, e, asClass) => {
        const store = new MemorySessionStore();
        const id = 'P'.repeat(43);
        const stored: StoredSession = {
          key: hashSessionId(id),
          data,
          createdAt: Date.now(),
          updatedAt: Date.now(),
          version: 1,
          expiresAt: undefined,
        };
        await store.save(stored, undefined);
        class Plain {
          @Session({ store, update: true })
          async handle(_e: unknown, @SessionData() bag: Record<string, unknown>): Promise<Response> {
            bag.seen = true;
            return { statusCode: 200, headers: {} };
          }
        }
        const handler = asClass
          ? strictHandler(store, false)
          : withFakeContext(lambdaHandler(new Plain(), 'handle'));
        await handler(e).catch(() => undefined); // validation may refuse the data; pollution is the point
        await handler({ headers: { 'session-id': id } }).catch(() => undefined);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
        expect(pollutedKeys()).toEqual(baseline);
      }),
      { numRuns: Math.min(RUNS, 1000) },
    );
  });
});
