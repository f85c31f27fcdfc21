import { sessionParameterAt } from './decorators/parameters';
import { SessionConfigurationError, SessionMetadataError } from './errors';

/**
 * A function Lambda can call: `(event, context) => Promise<result>`. It is assignable to `aws-lambda`'s
 * `Handler<E, R>` and so to `APIGatewayProxyHandlerV2`, `APIGatewayProxyHandler`, `ALBHandler`... whenever
 * their event is assignable to `E` and `R` to their result. `Context` is from `@types/aws-lambda`, an
 * optional peer dependency needed for types only.
 */
export type LambdaEntry<E, R> = (event: E, context: import('aws-lambda').Context) => Promise<R>;

/** The names of `T`'s methods: the keys whose values are functions (optional methods excluded). */
export type MethodKey<T> = {
  [K in keyof T]-?: T[K] extends (...args: never[]) => unknown ? K : never;
}[keyof T];

/**
 * The Lambda entry of a handler method: `instance[key]`, with `this` bound to `instance`, typed as
 * `(event: E, context: Context) => Promise<R>`, where `E` is the type of the method's first parameter and `R`
 * its awaited return type.
 *
 * Why not `instance.handle.bind(instance)`: the bound method keeps the parameters `@SessionData()` and
 * `@SessionContext()` fill in, so its type is not one Lambda's handler types accept (assigning it to
 * `APIGatewayProxyHandlerV2` fails). The entry's type has only what Lambda passes.
 *
 * - The event must be the method's first parameter (a session parameter there is refused, since the type
 *   would then be wrong); a method without parameters takes an `unknown` event.
 * - The context is always Lambda's `Context`, wherever the method declares it.
 * - The entry always returns a promise, also for a method that returns a plain value or throws synchronously.
 * - It passes the event and the context only, never the callback: callback-style handlers are not supported.
 *
 * @param instance the object whose method handles the invocation, usually `new YourHandler()`
 * @param key the method's name; the method is read once, now
 * @throws SessionConfigurationError when `instance[key]` is not a function (the message lists the methods)
 * @throws SessionMetadataError when the method's first parameter is `@SessionData()` or `@SessionContext()`
 *
 * @example
 * class CartHandler {
 *   @Session({ update: true })
 *   async handle(event: APIGatewayProxyEventV2, @SessionData(Cart) cart: Cart) {
 *     cart.items.push(parseItem(event.body));
 *     return { statusCode: 200, body: String(cart.total()) };
 *   }
 * }
 * // (event: APIGatewayProxyEventV2, context: Context) => Promise<{ statusCode: number; body: string }>
 * export const handler: APIGatewayProxyHandlerV2 = lambdaHandler(new CartHandler(), 'handle');
 */
export function lambdaHandler<T extends object, K extends MethodKey<T>>(
  instance: T,
  key: K,
): T[K] extends (event: infer E, ...rest: never[]) => infer R ? LambdaEntry<E, Awaited<R>> : never;
export function lambdaHandler(instance: object, key: PropertyKey): LambdaEntry<unknown, unknown> {
  if ((typeof instance !== 'object' && typeof instance !== 'function') || instance === null) {
    throw new SessionConfigurationError(
      `lambdaHandler() was given ${instance === null ? 'null' : typeof instance} as the instance: pass the ` +
        "object whose method handles the invocation, as in lambdaHandler(new Handler(), 'handle').",
    );
  }
  const method: unknown = Reflect.get(instance, key);
  const where = `${nameOf(instance)}.${String(key)}`;
  if (typeof method !== 'function') {
    const methods = methodNames(instance)
      .map((name) => `'${name}'`)
      .join(', ');
    throw new SessionConfigurationError(
      `lambdaHandler(): ${where} is ${describe(method)}, not a method: ` +
        `pass the name of the handler method${methods ? ` (${nameOf(instance)} has ${methods})` : ''}.`,
    );
  }
  const owner = definingObject(instance, key);
  const first = owner && sessionParameterAt(owner, typeof key === 'number' ? String(key) : key, 0);
  if (first) {
    const decorator = first === 'data' ? '@SessionData()' : '@SessionContext()';
    throw new SessionMetadataError(
      `lambdaHandler(): the first parameter of ${where} is ${decorator}, but Lambda passes the event first ` +
        "and the entry's event type is read from it: declare the event first, as in " +
        `${String(key)}(event, ${decorator} ...).`,
    );
  }
  return async (event, context) => method.call(instance, event, context) as unknown;
}

/** The object on `instance`'s prototype chain that defines `key`: where the decorators recorded it. */
function definingObject(instance: object, key: PropertyKey): object | undefined {
  for (let at: object | null = instance; at !== null; at = Object.getPrototypeOf(at) as object | null) {
    if (Object.prototype.hasOwnProperty.call(at, key)) return at;
  }
  return undefined;
}

/** The names of the methods `instance` has, own and inherited, below `Object.prototype`: for messages. */
function methodNames(instance: object): string[] {
  const names = new Set<string>();
  for (
    let at: object | null = instance;
    at !== null && at !== Object.prototype && at !== Function.prototype;
    at = Object.getPrototypeOf(at) as object | null
  ) {
    for (const name of Object.getOwnPropertyNames(at)) {
      const descriptor = Object.getOwnPropertyDescriptor(at, name);
      if (name !== 'constructor' && typeof descriptor?.value === 'function') names.add(name);
    }
  }
  return [...names];
}

/** `undefined`, `null`, `a number`, `an object`: what a value is, for messages. */
function describe(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  const type = typeof value;
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

function nameOf(instance: object): string {
  return typeof instance === 'function' ? instance.name : instance.constructor?.name || 'the object';
}
