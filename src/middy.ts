/**
 * lambda-sessions for middy: `import { sessionMiddleware } from 'lambda-sessions/middy'`.
 *
 * The middleware opens the session in `before`, puts it on `context.session`, validates and writes it in
 * `after` (adding the id to the response) and writes nothing in `onError`. It is typed structurally, so it
 * needs nothing from `@middy/core` at runtime; the pack check runs it under middy 6, and under middy 7 on
 * Node.js 22 and 24 (middy 7 needs Node.js 22).
 * @packageDocumentation
 */
import { type OpenSession, SessionEngine } from './engine';
import { SessionConfigurationError } from './errors';
import { type SessionOptions } from './options';
import { type SessionContext } from './decorators/session-context';
import { dataShape, type SessionClass } from './data-codec';
import { type SessionSchema } from './standard-schema';
import { type LiveSession } from './current-session';
import { INSPECT, type InspectFormat, loggedAs } from './logged-form';

/**
 * The session as a middy handler sees it, on `context.session`. Logged (`console.log(context)`,
 * `JSON.stringify(context)`, a logger's `{ context }`), it shows only its lifecycle's safe facts: no id, and no
 * data (log `context.session.data` yourself if you mean to).
 */
export interface MiddySession<T> {
  /** The session data: change it in place, or assign a new value. */
  data: T;
  /** The session's lifecycle: id, age, `destroy()`, `regenerate()`. */
  readonly lifecycle: SessionContext;
}

/**
 * The Lambda context a handler behind {@link sessionMiddleware} receives: give it as middy's `TContext`.
 *
 * @example
 * middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2, Error, SessionLambdaContext<Cart>>()
 */
export type SessionLambdaContext<T, C extends object = import('aws-lambda').Context> = C & {
  /** The session, put there by the middleware's `before`. */
  session: MiddySession<T>;
};

/** Options of {@link sessionMiddleware}: the session options, and the shape of the data (a class or a schema). */
export interface SessionMiddlewareOptions extends Omit<SessionOptions, 'onConflict'> {
  /** The class of the session data, as for `withSession()`. @default none: plain JSON, `undefined` when new */
  type?: SessionClass;
  /** A Standard Schema validator for the data instead of `type`, as for `withSession()`. @default none */
  schema?: SessionSchema;
  /** middy cannot run a handler twice from `after`: conflicts always throw `SessionConflictError`. */
  onConflict?: 'throw';
}

/** The part of middy's request this middleware touches. */
export interface SessionMiddlewareRequest {
  /** The Lambda event: where the id is read. */
  event: unknown;
  /** The Lambda context: where the session is put. */
  context: object;
  /** The handler's response: where the id is written. */
  response: unknown;
}

/** The middleware object, in middy's `MiddlewareObj` shape. */
export interface SessionMiddleware {
  /** `lambda-sessions`, as middy reports it. */
  readonly name: string;
  /** Reads the id, loads and hydrates the session, and puts it on `context.session`. */
  before(request: SessionMiddlewareRequest): Promise<void>;
  /** Validates and writes the session, and adds the id to the response. */
  after(request: SessionMiddlewareRequest): Promise<void>;
  /** Forgets the session: a failed handler writes nothing. */
  onError(request: SessionMiddlewareRequest): void;
}

/**
 * A middy middleware giving the handler a session on `context.session`, with the same engine and options
 * as `@Session()`.
 *
 * @example
 * export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2, Error, SessionLambdaContext<Cart>>()
 *   .use(sessionMiddleware({ type: Cart, update: true }))
 *   .handler(async (event, context) => {
 *     context.session.data.items.push(parseItem(event));
 *     return { statusCode: 200, body: JSON.stringify(context.session.data) };
 *   });
 */
export function sessionMiddleware(options: SessionMiddlewareOptions = {}): SessionMiddleware {
  if ((options.onConflict as string | undefined) === 'retry') {
    throw new SessionConfigurationError(
      "sessionMiddleware(): onConflict: 'retry' needs to run the handler again, which a middy middleware " +
        'cannot: use @Session() or withSession() for retries, or handle SessionConflictError.',
    );
  }
  const { type, schema, ...sessionOptions } = options;
  const shape = dataShape(type, schema, 'sessionMiddleware()');
  const engine = new SessionEngine(sessionOptions, shape, 'sessionMiddleware()');
  const open = new WeakMap<object, OpenSession>();
  return {
    name: 'lambda-sessions',
    async before(request) {
      const opened = await engine.open(request.event, request.context);
      open.set(request, opened);
      Object.assign(request.context, { session: new ContextSession(opened.session) });
    },
    async after(request) {
      const opened = open.get(request);
      if (!opened) return; // `before` did not run (an earlier middleware answered early)
      open.delete(request);
      request.response = await engine.close(opened, request.response);
    },
    onError(request) {
      open.delete(request); // the handler failed: nothing is written
    },
  };
}

/**
 * `context.session`: the live session behind accessors, so that the context, which middlewares and handlers log
 * freely, holds neither the data nor the id as a property any serialiser walks.
 */
class ContextSession implements MiddySession<unknown> {
  readonly #session: LiveSession;

  constructor(session: LiveSession) {
    this.#session = session;
  }

  get data(): unknown {
    return this.#session.data;
  }

  set data(value: unknown) {
    this.#session.data = value;
  }

  get lifecycle(): SessionContext {
    return this.#session.lifecycle;
  }

  /** The logged form: the lifecycle's safe facts (its own `toJSON()`), never the data. */
  toJSON(): { lifecycle: SessionContext } {
    return { lifecycle: this.lifecycle };
  }

  [INSPECT](depth: number, options: object, inspect: InspectFormat): string {
    return loggedAs('MiddySession', this.toJSON(), depth, options, inspect);
  }
}
