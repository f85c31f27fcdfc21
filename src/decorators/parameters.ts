/**
 * The registry of the parameter decorators: what `@SessionData()` and `@SessionContext()` recorded, read by
 * `@Session()` (and `lambdaHandler()`), with the data's class from the explicit type or decorator metadata.
 */
import 'reflect-metadata';
import { SessionMetadataError } from '../errors';
import { dataShape, type DataShape, type SessionClass } from '../data-codec';
import { processState } from '../process-state';
import { type SessionSchema } from '../standard-schema';

/** What a parameter decorator recorded, for the method decorator to read. */
export interface SessionParameter {
  readonly kind: 'data' | 'lifecycle';
  readonly index: number;
  readonly explicitType: SessionClass | undefined;
  /** The Standard Schema the data was given instead of a class: `@SessionData(schema)`. */
  readonly schema?: SessionSchema;
}

/**
 * Parameters marked with `@SessionData()` and `@SessionContext()`, per prototype and method. One per process,
 * so that `@Session()` reads what the parameter decorators recorded whichever build each came from.
 */
const registry = /* @__PURE__ */ processState(
  'session-parameters.v1',
  () => new WeakMap<object, Map<string | symbol, SessionParameter[]>>(),
);

/** Records a decorated parameter of a method. */
export function record(target: object, propertyKey: string | symbol, param: SessionParameter): void {
  let methods = registry.get(target);
  if (!methods) registry.set(target, (methods = new Map<string | symbol, SessionParameter[]>()));
  methods.set(propertyKey, [...(methods.get(propertyKey) ?? []), param]);
}

/** The error for a parameter decorator put on a constructor parameter. */
export function onConstructor(decorator: string, target: object): SessionMetadataError {
  return new SessionMetadataError(
    `${decorator} is on a constructor parameter of ${nameOf(target)}; put it on a parameter of the method ` +
      'decorated with @Session().',
  );
}

/** Where the session data and the lifecycle handle go in a method's parameters, and the data's shape. */
export interface SessionParameters {
  readonly dataIndex: number | undefined;
  readonly lifecycleIndex: number | undefined;
  readonly shape: DataShape;
}

/** Reads what the parameter decorators recorded; throws if it cannot work. */
export function sessionParameters(target: object, propertyKey: string | symbol): SessionParameters {
  const params = registry.get(target)?.get(propertyKey) ?? [];
  const where = methodName(target, propertyKey);
  const data = params.filter((p) => p.kind === 'data');
  const lifecycle = params.filter((p) => p.kind === 'lifecycle');
  for (const [list, name] of [
    [data, '@SessionData()'],
    [lifecycle, '@SessionContext()'],
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
    lifecycleIndex: lifecycle[0]?.index,
    shape: param ? shapeOf(param, target, propertyKey, where) : dataShape(undefined),
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
  if (param.schema) return { kind: 'schema', schema: param.schema };
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
 * The session parameter a method has at `index` (`'data'`, `'lifecycle'`, or `undefined` for a Lambda argument),
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
