import { SessionEngine } from '../engine';
import { SessionMetadataError } from '../errors';
import { checkSessionOptions, type SessionOptions } from '../options';
import { methodName, sessionParameter } from './session-data';

/**
 * Gives a handler method a server-side session. On each call it reads the id from the request, loads the
 * session, injects it into the `@SessionData()` parameter, runs the method, validates and writes the session,
 * and returns the response with the id in the `idHeader` response header.
 *
 * The method's other parameters receive the Lambda arguments (`event`, `context`) in order. `this` is kept:
 * export `instance.method.bind(instance)` as the Lambda handler.
 *
 * @example
 * class CounterHandler {
 *   @Session({ update: true, ttl: 900 })
 *   async handle(event: APIGatewayProxyEventV2, @SessionData() counter: Counter) {
 *     counter.value = (counter.value ?? 0) + 1;
 *     return { statusCode: 200, body: String(counter.value) };
 *   }
 * }
 */
export function Session(options: SessionOptions = {}): MethodDecorator {
  return (target, propertyKey, descriptor) => {
    const where = `@Session() on ${methodName(target, propertyKey)}`;
    checkSessionOptions(options, where);
    const method: unknown = descriptor.value;
    if (typeof method !== 'function') {
      throw new SessionMetadataError(`${where}: @Session() goes on a method, not an accessor or property.`);
    }
    const { index, shape } = sessionParameter(target, propertyKey);
    const engine = new SessionEngine({ ...options }, shape);

    const wrapped = function (this: unknown, ...lambdaArgs: unknown[]) {
      return engine.run(lambdaArgs[0], (session) =>
        method.apply(this, insertAt(lambdaArgs, index, session.data)),
      );
    };
    Object.defineProperty(wrapped, 'name', { value: method.name });
    (descriptor as TypedPropertyDescriptor<unknown>).value = wrapped;
  };
}

/** The Lambda arguments with the session spliced in at its parameter's position. */
function insertAt(args: unknown[], index: number | undefined, data: unknown): unknown[] {
  if (index === undefined) return args;
  const out = args.slice(0, index);
  while (out.length < index) out.push(undefined);
  out.push(data, ...args.slice(index));
  return out;
}
