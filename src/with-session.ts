import { SessionEngine } from './engine';
import { type SessionOptions } from './options';
import { dataShape, type SessionClass } from './data-codec';
import { type SessionSchema } from './standard-schema';

/** Options of {@link withSession}: the session options, and the shape of the data (a class or a schema). */
export interface WithSessionOptions extends SessionOptions {
  /**
   * The class of the session data: hydrated with class-transformer, validated with class-validator, a new
   * session starting as `new type()`. @default none: the data is a plain JSON value, `undefined` when new
   */
  type?: SessionClass;
  /**
   * A Standard Schema validator (valibot, zod, arktype) for the session data, instead of `type`: the stored
   * JSON is parsed by it on load (its output is the session), and the data is validated by it before every
   * write (what is stored is its output, as JSON). A new session starts as its output for `{}`.
   * `validation` (class-validator's options) does not apply; `validation: false` skips the write's check.
   * @default none
   */
  schema?: SessionSchema;
}

/**
 * The engine behind `@Session()`, for plain function handlers: wraps `handler` so that it runs inside a
 * session, read and changed with `getSessionData()` / `setSessionData()`.
 *
 * @example
 * export const handler = withSession(async (event) => {
 *   setSessionData(((getSessionData<number>()) ?? 0) + 1);
 *   return { statusCode: 200, headers: {} };
 * }, { update: true });
 */
export function withSession<TEvent, TRest extends unknown[], TResult>(
  handler: (event: TEvent, ...rest: TRest) => TResult | Promise<TResult>,
  options: WithSessionOptions = {},
): (event: TEvent, ...rest: TRest) => Promise<TResult> {
  const { type, schema, ...sessionOptions } = options;
  const engine = new SessionEngine(sessionOptions, dataShape(type, schema, 'withSession()'), 'withSession()');
  return function (this: unknown, event: TEvent, ...rest: TRest) {
    return engine.run(event, () => handler.call(this, event, ...rest), rest[0]);
  };
}
