import 'reflect-metadata';
import { SessionMetadataError } from '../errors';
import { type DataShape, type SessionClass } from '../data-codec';
import { processState } from '../process-state';

/** What a parameter decorator recorded, for the method decorator to read. */
export interface SessionParameter {
  readonly kind: 'data' | 'context';
  readonly index: number;
  readonly explicitType: SessionClass | undefined;
}

/**
 * Parameters marked with `@SessionData()` and `@SessionContext()`, per prototype and method. One per process,
 * so that `@Session()` reads what the parameter decorators recorded whichever build each came from.
 */
const registry = processState(
  'session-parameters.v1',
  () => new WeakMap<object, Map<string | symbol, SessionParameter[]>>(),
);

/**
 * Injects the session into a parameter of a method decorated with `@Session()`: an instance of the
 * parameter's class, hydrated from the store with class-transformer (`new Class()` for a new session) and
 * validated with class-validator before it is written. Change it in place.
 *
 * The class is `type` when given, else the parameter's declared type as TypeScript's `emitDecoratorMetadata`
 * records it. Bundlers that emit no decorator metadata (esbuild, as CDK's `NodejsFunction` and SAM use it)
 * need `type`. A parameter typed as an interface, `object` or `any` gets the plain stored value, unvalidated.
 *
 * @example
 * class CartHandler {
 *   @Session({ update: true })
 *   async handle(event: APIGatewayProxyEventV2, @SessionData(Cart) cart: Cart) { ... }
 * }
 */
export function SessionData(type?: SessionClass): ParameterDecorator {
  return (target, propertyKey, index) => {
    if (propertyKey === undefined) throw onConstructor('@SessionData()', target);
    if (type !== undefined && typeof type !== 'function') {
      throw new SessionMetadataError(
        `@SessionData() on ${methodName(target, propertyKey)} was given ${String(type)}: pass the session ` +
          'class itself, as in @SessionData(Cart).',
      );
    }
    record(target, propertyKey, { kind: 'data', index, explicitType: type });
  };
}

export function record(target: object, propertyKey: string | symbol, param: SessionParameter): void {
  let methods = registry.get(target);
  if (!methods) registry.set(target, (methods = new Map<string | symbol, SessionParameter[]>()));
  methods.set(propertyKey, [...(methods.get(propertyKey) ?? []), param]);
}

export function onConstructor(decorator: string, target: object): SessionMetadataError {
  return new SessionMetadataError(
    `${decorator} is on a constructor parameter of ${nameOf(target)}; put it on a parameter of the method ` +
      'decorated with @Session().',
  );
}

/** Where the session data and context go in a method's parameters, and the data's shape. */
export interface SessionParameters {
  readonly dataIndex: number | undefined;
  readonly contextIndex: number | undefined;
  readonly shape: DataShape;
}

/** Reads what the parameter decorators recorded; throws if it cannot work. */
export function sessionParameters(target: object, propertyKey: string | symbol): SessionParameters {
  const params = registry.get(target)?.get(propertyKey) ?? [];
  const where = methodName(target, propertyKey);
  const data = params.filter((p) => p.kind === 'data');
  const context = params.filter((p) => p.kind === 'context');
  for (const [list, name] of [
    [data, '@SessionData()'],
    [context, '@SessionContext()'],
  ] as const) {
    if (list.length > 1) {
      throw new SessionMetadataError(
        `${where} has ${list.length} ${name} parameters; an invocation has one session: keep one.`,
      );
    }
  }
  const param = data[0];
  return {
    dataIndex: param?.index,
    contextIndex: context[0]?.index,
    shape: param ? shapeOf(param, target, propertyKey, where) : { kind: 'plain', empty: () => undefined },
  };
}

/** Constructors that declare a value, not a session class. */
const NOT_SESSION_CLASSES: readonly unknown[] = [Number, String, Boolean, Symbol, BigInt, Function, Promise];

function shapeOf(
  param: SessionParameter,
  target: object,
  propertyKey: string | symbol,
  where: string,
): DataShape {
  if (param.explicitType) return { kind: 'class', type: param.explicitType };
  const types: unknown = Reflect.getMetadata('design:paramtypes', target, propertyKey);
  if (!Array.isArray(types)) {
    throw new SessionMetadataError(
      `${where}: the class of the @SessionData() parameter is unknown because no decorator metadata was ` +
        'emitted (bundlers such as esbuild, used by CDK and SAM, never emit it). Name the class: ' +
        '@SessionData(YourClass), or enable "emitDecoratorMetadata" and compile with tsc.',
    );
  }
  const type: unknown = types[param.index];
  if (type === Object) return { kind: 'plain', empty: () => ({}) };
  if (type === Array) return { kind: 'plain', empty: () => [] };
  if (typeof type !== 'function' || NOT_SESSION_CLASSES.includes(type)) {
    throw new SessionMetadataError(
      `${where}: the @SessionData() parameter is declared as ${typeof type === 'function' ? type.name : String(type)}, ` +
        'which cannot be changed in place. Declare it as a class (or an interface for plain JSON), or use ' +
        'withSession() with getSessionData()/setSessionData() for a primitive value.',
    );
  }
  return { kind: 'class', type: type as SessionClass };
}

function nameOf(target: object): string {
  return typeof target === 'function' ? target.name : target.constructor.name;
}

/** `Class.method`, for messages. */
export function methodName(target: object, propertyKey: string | symbol): string {
  return `${nameOf(target)}.${String(propertyKey)}`;
}

/**
 * The session parameter a method has at `index` (`'data'`, `'context'`, or `undefined` for a Lambda argument),
 * from what the parameter decorators recorded on `target`, the object that defines the method. Unlike
 * {@link sessionParameters} it never resolves the data's class, so it cannot throw.
 */
export function sessionParameterAt(
  target: object,
  propertyKey: string | symbol,
  index: number,
): SessionParameter['kind'] | undefined {
  return registry
    .get(target)
    ?.get(propertyKey)
    ?.find((param) => param.index === index)?.kind;
}
