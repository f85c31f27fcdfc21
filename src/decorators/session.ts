import { SessionEngine } from '../engine';
import { SessionConfigurationError, SessionMetadataError } from '../errors';
import { type SessionOptions } from '../options';
import { methodName, sessionParameters } from './parameters';

/** Options of {@link Session | `@Session()`}: the session options, and whether the method reads the session ambiently. */
export interface SessionDecoratorOptions extends SessionOptions {
  /**
   * Make `getSessionData()`, `setSessionData()` and `getSessionContext()` work while the method runs (for code
   * it calls that reads the session without having it passed in). Off, `@SessionData()` and `@SessionContext()`
   * inject the session, and those functions throw a `SessionError` saying to set this.
   *
   * Why it is off: the ambient session lives in an `AsyncLocalStorage`, and entering one turns on Node.js's
   * promise hooks for the whole process (Node.js 20 and 22) from the first invocation on, which slows every
   * promise after it, the handler's own code included. `withSession()` always has it: its functions are its API.
   * @default false
   */
  ambient?: boolean;
}

/**
 * Gives a handler method a server-side session. On each call it reads the id from the request, loads the
 * session, injects it into the `@SessionData()` parameter, runs the method, validates and writes the session,
 * and returns the response with the id in the `idHeader` response header.
 *
 * The method's other parameters receive the Lambda arguments (`event`, `context`) in order. `this` is kept:
 * export {@link lambdaHandler | `lambdaHandler(instance, 'method')`} as the Lambda handler, typed with only
 * what Lambda passes.
 *
 * @example
 * class CounterHandler {
 *   @Session({ update: true, ttl: 900 })
 *   async handle(event: APIGatewayProxyEventV2, @SessionData() counter: Counter) {
 *     counter.value = (counter.value ?? 0) + 1;
 *     return { statusCode: 200, body: String(counter.value) };
 *   }
 * }
 * export const handler = lambdaHandler(new CounterHandler(), 'handle');
 */
export function Session(options: SessionDecoratorOptions = {}): MethodDecorator {
  return (target, propertyKey, descriptor) => {
    const where = `@Session() on ${methodName(target, propertyKey)}`;
    const method: unknown = descriptor.value;
    if (typeof method !== 'function') {
      throw new SessionMetadataError(`${where}: @Session() goes on a method, not an accessor or property.`);
    }
    const { ambient, ...sessionOptions } = options;
    if (ambient !== undefined && typeof ambient !== 'boolean') {
      throw new SessionConfigurationError(`${where}: ambient must be true or false, not ${String(ambient)}.`);
    }
    const { dataIndex, lifecycleIndex, shape } = sessionParameters(target, propertyKey);
    const engine = new SessionEngine(sessionOptions, shape, where, ambient === true);

    const wrapped = function (this: unknown, ...lambdaArgs: unknown[]) {
      return engine.run(
        lambdaArgs[0],
        (session) => {
          const injected = new Map<number | undefined, unknown>([[lifecycleIndex, session.lifecycle]]);
          // Read only when injected: a session a later deployment wrote throws when its data is read, and a
          // method without a data parameter (a log-out) must still run on it.
          if (dataIndex !== undefined) injected.set(dataIndex, session.data);
          return Reflect.apply(method, this, injectArguments(lambdaArgs, injected)) as unknown;
        },
        lambdaArgs[1],
      );
    };
    Object.defineProperty(wrapped, 'name', { value: method.name });
    (descriptor as TypedPropertyDescriptor<unknown>).value = wrapped;
  };
}

/**
 * The method's arguments: the injected values at their parameters' positions, and the Lambda arguments
 * (`event`, `context`, ...) filling the other positions in order.
 */
function injectArguments(
  lambdaArgs: readonly unknown[],
  injected: Map<number | undefined, unknown>,
): unknown[] {
  injected.delete(undefined);
  const rest = [...lambdaArgs];
  const out: unknown[] = [];
  const last = Math.max(-1, ...(injected.keys() as Iterable<number>));
  for (let i = 0; i <= last; i++) out.push(injected.has(i) ? injected.get(i) : rest.shift());
  return [...out, ...rest];
}
