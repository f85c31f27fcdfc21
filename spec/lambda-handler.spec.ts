// lambdaHandler(): what the entry does at runtime, and its type. The type tests are compile-time assertions:
// ts-jest type-checks this file, so a regressed type (or an unused @ts-expect-error) fails the suite.
import {
  type ALBEvent,
  type ALBHandler,
  type ALBResult,
  type APIGatewayProxyEvent,
  type APIGatewayProxyEventV2,
  type APIGatewayProxyHandler,
  type APIGatewayProxyHandlerV2,
  type APIGatewayProxyResult,
  type APIGatewayProxyStructuredResultV2,
  type Context,
  type Handler,
  type SQSEvent,
  type SQSHandler,
} from 'aws-lambda';
import { expectTypeOf } from 'expect-type';
import {
  configureSessions,
  lambdaHandler,
  type LambdaEntry,
  MemorySessionStore,
  type MethodKey,
  Session,
  SessionConfigurationError,
  SessionContext,
  SessionData,
  SessionMetadataError,
} from '../src';
import { fakeContext } from './support/lambda';
import { Counter } from './support/sessions';

type Response = { statusCode: number; headers: Record<string, string>; body: string };

beforeEach(() => configureSessions({ store: new MemorySessionStore() }));

describe('lambdaHandler() at runtime', () => {
  it('calls the method with `this` bound, the event and the context', async () => {
    class Handler {
      readonly prefix = 'kept';
      async handle(event: { n: number }, context: Context) {
        return `${this.prefix} ${event.n} ${context.awsRequestId}`;
      }
    }
    const entry = lambdaHandler(new Handler(), 'handle');
    expect(await entry({ n: 1 }, fakeContext({ awsRequestId: 'req-1' }))).toBe('kept 1 req-1');
  });

  it('gives a @Session() method its session, and the context where the method declares it', async () => {
    class Handler {
      @Session({ update: true })
      async handle(_event: unknown, @SessionData() counter: Counter, context: Context): Promise<Response> {
        return { statusCode: 200, headers: {}, body: `${counter.next()} ${context.functionName}` };
      }
    }
    const entry = lambdaHandler(new Handler(), 'handle');
    const first = await entry({}, fakeContext({ functionName: 'cart' }));
    expect(first.body).toBe('1 cart');
    const second = await entry({ headers: { 'session-id': first.headers['session-id'] } }, fakeContext());
    expect(second.body).toBe('2 spec');
  });

  it('returns a promise for a method returning a plain value, and rejects for one that throws', async () => {
    class Handler {
      double(event: number) {
        return event * 2;
      }
      fail(_event: unknown): never {
        throw new Error('boom');
      }
    }
    const h = new Handler();
    const doubled = lambdaHandler(h, 'double')(21, fakeContext());
    expect(doubled).toBeInstanceOf(Promise);
    expect(await doubled).toBe(42);
    const failed = lambdaHandler(h, 'fail')({}, fakeContext()); // a synchronous throw would fail this line
    await expect(failed).rejects.toThrow('boom');
  });

  it('reads the method once, when the entry is made', async () => {
    class Handler {
      handle(_event: unknown) {
        return 'original';
      }
    }
    const h = new Handler();
    const entry = lambdaHandler(h, 'handle');
    h.handle = () => 'replaced';
    expect(await entry({}, fakeContext())).toBe('original');
  });

  it('takes inherited methods and static methods', async () => {
    class Base {
      @Session()
      async handle(event: { n: number }, @SessionData() counter: Counter) {
        return `${event.n} ${counter.next()}`;
      }
    }
    class Derived extends Base {}
    class Static {
      static handle(event: { n: number }) {
        return `${this.name} ${event.n}`;
      }
    }
    expect(await lambdaHandler(new Derived(), 'handle')({ n: 4 }, fakeContext())).toBe('4 1');
    expect(await lambdaHandler(Static, 'handle')({ n: 5 }, fakeContext())).toBe('Static 5');
  });

  describe('refuses, saying what to change', () => {
    class Handler {
      count = 3;
      nothing = null;
      handle(_event: unknown) {
        return 'ok';
      }
      other(_event: unknown) {
        return 'ok';
      }
    }

    it('a key that is not a method', () => {
      // @ts-expect-error: `count` is a number, not a method
      const call = () => lambdaHandler(new Handler(), 'count');
      expect(call).toThrow(SessionConfigurationError);
      expect(call).toThrow(
        'lambdaHandler(): Handler.count is a number, not a method: pass the name of the handler method ' +
          "(Handler has 'handle', 'other').",
      );
      // @ts-expect-error: `nothing` is null
      expect(() => lambdaHandler(new Handler(), 'nothing')).toThrow(/Handler\.nothing is null, not a method/);
      // @ts-expect-error: an object without methods
      expect(() => lambdaHandler({}, 'handle')).toThrow(
        /Object\.handle is undefined, not a method: pass the name of the handler method\.$/,
      );
    });

    it('a key the object does not have', () => {
      // @ts-expect-error: no such key
      const call = () => lambdaHandler(new Handler(), 'hndle');
      expect(call).toThrow(SessionConfigurationError);
      expect(call).toThrow(/Handler\.hndle is undefined, not a method.*'handle', 'other'/);
    });

    it('no object', () => {
      // @ts-expect-error: the instance must be an object
      expect(() => lambdaHandler(undefined, 'handle')).toThrow(
        /lambdaHandler\(\) was given undefined as the instance.*lambdaHandler\(new Handler\(\), 'handle'\)/,
      );
    });

    it('null, which typeof calls an object', () => {
      // @ts-expect-error: the instance must be an object
      expect(() => lambdaHandler(null, 'handle')).toThrow(
        /^lambdaHandler\(\) was given null as the instance: pass the object/,
      );
    });

    it('a method whose first parameter is the session, since the event type would be wrong', () => {
      class DataFirst {
        @Session()
        async handle(@SessionData() counter: Counter, _event: unknown) {
          return counter.next();
        }
      }
      class ContextFirst {
        @Session()
        async handle(@SessionContext() session: SessionContext, _event: unknown) {
          return session.id;
        }
      }
      class Inherited extends DataFirst {}
      expect(() => lambdaHandler(new DataFirst(), 'handle')).toThrow(SessionMetadataError);
      expect(() => lambdaHandler(new DataFirst(), 'handle')).toThrow(
        'lambdaHandler(): the first parameter of DataFirst.handle is @SessionData(), but Lambda passes the ' +
          "event first and the entry's event type is read from it: declare the event first, as in " +
          'handle(event, @SessionData() ...).',
      );
      expect(() => lambdaHandler(new ContextFirst(), 'handle')).toThrow(
        /ContextFirst\.handle is @SessionContext\(\)/,
      );
      expect(() => lambdaHandler(new Inherited(), 'handle')).toThrow(SessionMetadataError);
    });
  });
});

// --- Types ----------------------------------------------------------------------------------------------

class HttpApi {
  @Session()
  async handle(
    _event: APIGatewayProxyEventV2,
    @SessionData() _counter: Counter,
  ): Promise<APIGatewayProxyStructuredResultV2> {
    return { statusCode: 200 };
  }
}
class RestApi {
  @Session()
  async handle(
    _event: APIGatewayProxyEvent,
    @SessionData() _counter: Counter,
  ): Promise<APIGatewayProxyResult> {
    return { statusCode: 200, body: '' };
  }
}
class Alb {
  /** Not async: the entry still returns a promise. */
  handle(_event: ALBEvent): ALBResult {
    return { statusCode: 200 };
  }
}
class AnyEvent {
  @Session()
  async handle(_event: unknown, @SessionData() _counter: Counter) {
    return { statusCode: 200, body: '' };
  }
}
class EitherEvent {
  async handle(_event: APIGatewayProxyEventV2 | ALBEvent) {
    return { statusCode: 200, body: '' };
  }
}
class WithContext {
  async second(_event: SQSEvent, _context: Context): Promise<void> {}
  @Session()
  async third(_event: SQSEvent, @SessionData() _counter: Counter, _context: Context): Promise<void> {}
}
class Odd {
  noParameters() {
    return 'ok';
  }
  returnsNumber(_event: APIGatewayProxyEventV2) {
    return 1;
  }
}
class Mixed {
  count = 1;
  label?: string;
  arrow = (_event: string) => 1;
  maybe?: (event: string) => number;
  get computed(): number {
    return 1;
  }
  handle(_event: string) {
    return 1;
  }
  private hidden(_event: string) {
    return 1;
  }
}

describe("the entry's type", () => {
  it('is (event, context: Context) => Promise<result>, from the first parameter and awaited result', () => {
    expectTypeOf(lambdaHandler(new HttpApi(), 'handle')).toEqualTypeOf<
      LambdaEntry<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>
    >();
    expectTypeOf(lambdaHandler(new HttpApi(), 'handle')).toEqualTypeOf<
      (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>
    >();
    expectTypeOf(lambdaHandler(new Alb(), 'handle')).toEqualTypeOf<LambdaEntry<ALBEvent, ALBResult>>();
    expectTypeOf(lambdaHandler(new AnyEvent(), 'handle')).toEqualTypeOf<
      LambdaEntry<unknown, { statusCode: number; body: string }>
    >();
    expectTypeOf(lambdaHandler(new EitherEvent(), 'handle'))
      .parameter(0)
      .toEqualTypeOf<APIGatewayProxyEventV2 | ALBEvent>();
    expectTypeOf(lambdaHandler(new Odd(), 'noParameters')).toEqualTypeOf<LambdaEntry<unknown, string>>();
  });

  it('has Lambda’s Context second, wherever the method declares it, and nothing after it', () => {
    expectTypeOf(lambdaHandler(new WithContext(), 'second')).toEqualTypeOf<LambdaEntry<SQSEvent, void>>();
    expectTypeOf(lambdaHandler(new WithContext(), 'third')).toEqualTypeOf<LambdaEntry<SQSEvent, void>>();
    expectTypeOf(lambdaHandler(new HttpApi(), 'handle')).parameters.toEqualTypeOf<
      [APIGatewayProxyEventV2, Context]
    >();
  });

  it("is assignable to aws-lambda's handler types when the method's types fit", () => {
    const _v2: APIGatewayProxyHandlerV2 = lambdaHandler(new HttpApi(), 'handle');
    const _v1: APIGatewayProxyHandler = lambdaHandler(new RestApi(), 'handle');
    const _alb: ALBHandler = lambdaHandler(new Alb(), 'handle');
    const _sqs: SQSHandler = lambdaHandler(new WithContext(), 'third');
    const _generic: Handler<ALBEvent, ALBResult> = lambdaHandler(new Alb(), 'handle');
    // An `unknown` event takes every event; a union takes each of its members.
    expectTypeOf(lambdaHandler(new AnyEvent(), 'handle')).toExtend<APIGatewayProxyHandlerV2>();
    expectTypeOf(lambdaHandler(new AnyEvent(), 'handle')).toExtend<APIGatewayProxyHandler>();
    expectTypeOf(lambdaHandler(new AnyEvent(), 'handle')).toExtend<ALBHandler>();
    expectTypeOf(lambdaHandler(new EitherEvent(), 'handle')).toExtend<APIGatewayProxyHandlerV2>();
    expectTypeOf(lambdaHandler(new EitherEvent(), 'handle')).toExtend<ALBHandler>();
    expectTypeOf(lambdaHandler(new EitherEvent(), 'handle')).not.toExtend<APIGatewayProxyHandler>();
  });

  it('is not assignable when the event or the result does not fit', () => {
    // @ts-expect-error: an ALB entry is no HTTP API handler
    const _wrongEvent: APIGatewayProxyHandlerV2 = lambdaHandler(new Alb(), 'handle');
    // @ts-expect-error: a number is no HTTP API result
    const _wrongResult: APIGatewayProxyHandlerV2 = lambdaHandler(new Odd(), 'returnsNumber');
    expectTypeOf(lambdaHandler(new RestApi(), 'handle')).not.toExtend<APIGatewayProxyHandlerV2>();
  });

  it('refuses an event of the wrong type, and a call without the context', () => {
    const entry = lambdaHandler(new HttpApi(), 'handle');
    expectTypeOf(entry).parameter(0).not.toEqualTypeOf<unknown>();
    // Never called: what matters is that these lines do not compile.
    const _typeOnly = (event: APIGatewayProxyEventV2) => [
      // @ts-expect-error: not an HTTP API event
      entry({ notAnEvent: true }, fakeContext()),
      // @ts-expect-error: an ALB event is not an HTTP API event
      lambdaHandler(new Alb(), 'handle')(event, fakeContext()),
      // @ts-expect-error: Lambda always passes a context
      entry(event),
    ];
  });

  it("takes only the names of the object's methods", () => {
    expectTypeOf<MethodKey<Mixed>>().toEqualTypeOf<'arrow' | 'handle'>();
    expectTypeOf(lambdaHandler(new Mixed(), 'arrow')).toEqualTypeOf<LambdaEntry<string, number>>();
    const _typeOnly = (mixed: Mixed) => [
      // @ts-expect-error: a number property
      lambdaHandler(mixed, 'count'),
      // @ts-expect-error: an optional method may be missing
      lambdaHandler(mixed, 'maybe'),
      // @ts-expect-error: a getter's value is no method
      lambdaHandler(mixed, 'computed'),
      // @ts-expect-error: a private method is not the entry's to give
      lambdaHandler(mixed, 'hidden'),
      // @ts-expect-error: no such method
      lambdaHandler(mixed, 'hndle'),
    ];
  });
});
