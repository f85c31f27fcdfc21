import { type Context } from 'aws-lambda';
import {
  configureSessions,
  getSessionContext,
  getSessionData,
  lambdaHandler,
  MemorySessionStore,
  Session,
  SessionConfigurationError,
  SessionContext,
  SessionData,
  SessionError,
  SessionMetadataError,
  SessionStoreNotSetError,
} from '../../src';
import { sessionScope } from '../../src/current-session';
import { CountingStore } from '../support/counting-store';
import { fakeContext, withFakeContext } from '../support/lambda';
import { Counter } from '../support/sessions';

type Response = { statusCode: number; headers: Record<string, string>; body?: string };
type Invoke = (event: unknown) => Promise<Response>;

/**
 * Decorates a method the way esbuild compiles decorators: the decorators run, but no `design:paramtypes`
 * metadata exists (this class's source has no decorators, so TypeScript emitted none).
 */
function decorateWithoutMetadata(type: (new () => object) | undefined): Invoke {
  class Handler {
    async handle(_event: unknown, counter: Counter): Promise<Response> {
      return { statusCode: 200, headers: {}, body: String(counter.next()) };
    }
  }
  const descriptor = Object.getOwnPropertyDescriptor(Handler.prototype, 'handle')!;
  SessionData(type)(Handler.prototype, 'handle', 1);
  Session({ update: true })(Handler.prototype, 'handle', descriptor);
  Object.defineProperty(Handler.prototype, 'handle', descriptor);
  return withFakeContext(lambdaHandler(new Handler(), 'handle'));
}

beforeEach(() => configureSessions({ store: new MemorySessionStore() }));

describe('@SessionData() without decorator metadata (esbuild, CDK, SAM)', () => {
  it('works when the class is named: @SessionData(Counter)', async () => {
    expect(Reflect.getMetadata('design:paramtypes', class {}.prototype, 'handle')).toBeUndefined();
    const handle = decorateWithoutMetadata(Counter);
    const id = (await handle({})).headers['session-id']!;
    expect((await handle({ headers: { 'session-id': id } })).body).toBe('2');
  });

  it('fails when the class is defined, naming the method and the fix', () => {
    expect(() => decorateWithoutMetadata(undefined)).toThrow(SessionMetadataError);
    expect(() => decorateWithoutMetadata(undefined)).toThrow(/Handler\.handle.*@SessionData\(YourClass\)/s);
  });
});

describe('where the session goes', () => {
  it('fills the other parameters with the Lambda arguments, in order, and keeps `this`', async () => {
    class Handler {
      readonly name = 'kept';
      @Session()
      async handle(event: { n: number }, context: Context, @SessionData() counter: Counter) {
        return {
          statusCode: 200,
          headers: {},
          body: `${this.name} ${event.n} ${context.functionName} ${counter.next()}`,
        };
      }
    }
    const handle = lambdaHandler(new Handler(), 'handle');
    const response = await handle({ n: 1 }, fakeContext({ functionName: 'ctx' }));
    expect(response.body).toBe('kept 1 ctx 1');
  });

  it('can be the first parameter', async () => {
    class Handler {
      @Session()
      async handle(@SessionData() counter: Counter, event: { n: number }) {
        return { statusCode: 200, headers: {}, body: `${counter.next()} ${event.n}` };
      }
    }
    // Called as Lambda calls it, the event first: the decorator moves it to the second parameter.
    // lambdaHandler() refuses such a method, as its event type would be the session's.
    expect((await (new Handler().handle as Invoke)({ n: 7 })).body).toBe('1 7');
  });

  it('gives a parameter typed as an interface the plain stored value', async () => {
    interface Bag {
      seen?: number;
    }
    class Handler {
      @Session({ update: true })
      async handle(_event: unknown, @SessionData() bag: Bag): Promise<Response> {
        bag.seen = (bag.seen ?? 0) + 1;
        return {
          statusCode: 200,
          headers: {},
          body: `${Object.getPrototypeOf(bag) === Object.prototype} ${bag.seen}`,
        };
      }
    }
    const handle = withFakeContext(lambdaHandler(new Handler(), 'handle'));
    const id = (await handle({})).headers['session-id']!;
    expect((await handle({ headers: { 'session-id': id } })).body).toBe('true 2');
  });

  it('gives a parameter typed as an array the plain stored list, empty for a new session', async () => {
    class Handler {
      @Session({ update: true })
      async handle(_event: unknown, @SessionData() visits: string[]): Promise<Response> {
        const before = JSON.stringify(visits);
        visits.push('page');
        return { statusCode: 200, headers: {}, body: before };
      }
    }
    const handle = withFakeContext(lambdaHandler(new Handler(), 'handle'));

    const first = await handle({});
    const second = await handle({ headers: { 'session-id': first.headers['session-id']! } });

    expect([first.body, second.body]).toEqual(['[]', '["page"]']);
  });
});

describe('mistakes that fail when the class is defined', () => {
  it('refuses a primitive parameter type, pointing to setSessionData', () => {
    expect(() => {
      class Handler {
        @Session()
        async handle(_event: unknown, @SessionData() _count: number) {}
      }
      return Handler;
    }).toThrow(/declared as Number.*setSessionData/s);
  });

  it('refuses a session parameter on a constructor, pointing to the method', () => {
    const dataOnConstructor = () => {
      class Handler {
        constructor(@SessionData() readonly counter: Counter) {}
      }
      return Handler;
    };
    const contextOnConstructor = () => {
      class Handler {
        constructor(@SessionContext() readonly session: SessionContext) {}
      }
      return Handler;
    };
    expect(dataOnConstructor).toThrow(SessionMetadataError);
    expect(dataOnConstructor).toThrow(
      '@SessionData() is on a constructor parameter of Handler; put it on a parameter of the method ' +
        'decorated with @Session().',
    );
    expect(contextOnConstructor).toThrow(/^@SessionContext\(\) is on a constructor parameter of Handler;/);
  });

  it('refuses a @SessionData() type that is not a class', () => {
    expect(() => {
      class Handler {
        @Session()
        async handle(_event: unknown, @SessionData('Counter' as never) _counter: Counter) {}
      }
      return Handler;
    }).toThrow(/@SessionData\(\) on Handler\.handle was given Counter: pass the session class itself/);
  });

  it('refuses @Session() on an accessor', () => {
    expect(() => {
      class Handler {
        @Session()
        get handle() {
          return async () => ({ statusCode: 200 });
        }
      }
      return Handler;
    }).toThrow(/@Session\(\) on Handler\.handle: @Session\(\) goes on a method, not an accessor/);
  });

  it('refuses a parameter declared void, which TypeScript records as undefined', () => {
    expect(() => {
      class Handler {
        @Session()
        async handle(_event: unknown, @SessionData() _nothing: void) {}
      }
      return Handler;
    }).toThrow(/Handler\.handle: the @SessionData\(\) parameter is declared as undefined/);
  });

  it('refuses two session parameters', () => {
    expect(() => {
      class Handler {
        @Session()
        async handle(@SessionData() _a: Counter, @SessionData() _b: Counter) {}
      }
      return Handler;
    }).toThrow(/Handler\.handle has 2 @SessionData\(\) parameters/);
  });

  it.each([
    [{ ttl: -1 }, /ttl must be a whole number/],
    [{ absoluteTimeout: 1.5 }, /absoluteTimeout must be a whole number/],
    [{ idHeader: 'session id' }, /idHeader must be an HTTP header name/],
    [{ update: 'yes' }, /update must be true or false/],
    [{ store: {} }, /store must implement SessionStore/],
  ])('refuses the option %p with a message naming it', (options, message) => {
    expect(() => Session(options as never)(class {}.prototype, 'x', { value: () => {} })).toThrow(
      SessionConfigurationError,
    );
    expect(() => Session(options as never)(class {}.prototype, 'x', { value: () => {} })).toThrow(message);
  });
});

describe('the store', () => {
  it('is required: SessionStoreNotSetError says what to set', async () => {
    configureSessions({});
    class Handler {
      @Session()
      async handle() {
        return { statusCode: 200 };
      }
    }
    await expect(new Handler().handle()).rejects.toThrow(SessionStoreNotSetError);
    await expect(new Handler().handle()).rejects.toThrow(/Store not set.*SESSION_LAMBDA_DYNAMODB_TABLE_NAME/);
  });

  it('is the handler own when given, before the configured one', async () => {
    const own = new CountingStore();
    class Handler {
      @Session({ store: own })
      async handle() {
        return { statusCode: 200 };
      }
    }
    await new Handler().handle();
    expect(own.calls).toEqual(['save']);
  });

  it.each([
    ['a malformed id', 'not a session id!'],
    ['an oversized id', 'a'.repeat(100_000)],
    ['an id one character short', 'a'.repeat(42)],
  ])('is not asked about %s: the client gets a fresh id', async (_label, bad) => {
    const store = new CountingStore();
    class Handler {
      @Session({ store })
      async handle(): Promise<Response> {
        return { statusCode: 200, headers: {} };
      }
    }
    const response = await lambdaHandler(new Handler(), 'handle')(
      { headers: { 'session-id': bad } },
      fakeContext(),
    );
    expect(store.calls).toEqual(['save']);
    expect(response.headers['session-id']).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe("onConflict: 'retry'", () => {
  it('starts again from the winning item without reading it again', async () => {
    const store = new CountingStore();
    class Handler {
      @Session({ store, update: true, onConflict: 'retry' })
      async handle(_e: unknown, @SessionData() c: Counter): Promise<Response> {
        c.next();
        return { statusCode: 200, headers: {}, body: String(c.value) };
      }
    }
    const handle = withFakeContext(lambdaHandler(new Handler(), 'handle'));
    const id = (await handle({})).headers['session-id']!;
    // A rival write lands between our read and our write, once.
    const originalLoad = store.load.bind(store);
    let raced = false;
    store.load = async (key: string) => {
      const found = await originalLoad(key);
      if (!raced && found) {
        raced = true;
        await store.save({ ...found, data: '{"value":10}', version: found.version + 1 }, found.version);
      }
      return found;
    };
    store.calls.length = 0;
    const response = await handle({ headers: { 'session-id': id } });
    expect(response.body).toBe('11');
    expect(store.calls).toEqual(['load', 'save', 'save', 'save']); // our load, the rival, our lost save, our retry
  });
});

describe('the ambient session (getSessionData(), getSessionContext())', () => {
  afterEach(() => jest.restoreAllMocks());

  it('is off by default: no AsyncLocalStorage scope is entered, and getSessionData() says what to set', async () => {
    const enter = jest.spyOn(sessionScope, 'run');
    const thrown: unknown[] = [];
    class Handler {
      @Session({ update: true })
      async handle(_event: unknown, @SessionData() counter: Counter): Promise<Response> {
        for (const read of [getSessionData, getSessionContext]) {
          try {
            read();
          } catch (error) {
            thrown.push(error);
          }
        }
        return { statusCode: 200, headers: {}, body: String(counter.next()) };
      }
    }
    const handle = withFakeContext(lambdaHandler(new Handler(), 'handle'));
    const id = (await handle({})).headers['session-id']!;
    expect((await handle({ headers: { 'session-id': id } })).body).toBe('2');
    expect(enter).not.toHaveBeenCalled();
    expect(thrown).toHaveLength(4);
    for (const error of thrown) {
      expect(error).toBeInstanceOf(SessionError);
      expect((error as Error).message).toMatch(/@Session\(\{ ambient: true \}\)/);
    }
  });

  it('is there with ambient: true: the same data and lifecycle the parameters get', async () => {
    const enter = jest.spyOn(sessionScope, 'run');
    class Handler {
      @Session({ update: true, ambient: true })
      async handle(
        _event: unknown,
        @SessionData() counter: Counter,
        @SessionContext() lifecycle: SessionContext,
      ): Promise<Response> {
        counter.next();
        getSessionData<Counter>().next();
        const same = getSessionContext() === lifecycle;
        return { statusCode: 200, headers: {}, body: `${counter.value} ${same}` };
      }
    }
    const handle = withFakeContext(lambdaHandler(new Handler(), 'handle'));
    const id = (await handle({})).headers['session-id']!;
    expect((await handle({ headers: { 'session-id': id } })).body).toBe('4 true');
    expect(enter).toHaveBeenCalledTimes(2);
  });

  it.each([['yes'], [1], [null]])('refuses ambient: %p, naming the option', (ambient) => {
    const decorate = () =>
      Session({ ambient } as never)(class Handler {}.prototype, 'handle', { value: () => {} });
    expect(decorate).toThrow(SessionConfigurationError);
    expect(decorate).toThrow(/Handler\.handle: ambient must be true or false/);
  });
});
