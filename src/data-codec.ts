/**
 * Session data between the store's JSON text and the handler's object: parse, migrate, hydrate, validate,
 * serialise. The one place that knows class-transformer and class-validator.
 */
import { type ValidationError, type ValidatorOptions } from 'class-validator';
import { classTools } from './class-tools';
import {
  SessionConfigurationError,
  SessionCorruptError,
  SessionNewerSchemaError,
  SessionSerializationError,
  SessionTooLargeError,
  SessionValidationError,
  type ValidationSource,
} from './errors';
import { type SessionLogger } from './logger';
import { loggableText } from './logged-form';
import { isStandardSchema, parseWithSchema, type SessionSchema } from './standard-schema';
import { validationRules } from './validation-rules';

/** A class whose instances hold session data; `new` with no arguments must work. */
export type SessionClass<T extends object = object> = new () => T;

/**
 * How session data is shaped: an instance of a class (hydrated with class-transformer, validated with
 * class-validator), a Standard Schema's output (parsed by the schema), or a plain JSON value (neither).
 */
export type DataShape =
  | { readonly kind: 'class'; readonly type: SessionClass }
  | { readonly kind: 'schema'; readonly schema: SessionSchema }
  | { readonly kind: 'plain'; readonly empty: () => unknown };

/**
 * The shape of the data for an adapter's `type` and `schema` options: a class, a Standard Schema, or plain
 * JSON that starts as `undefined` (session-lambda's `get_session_data()` before anything was set).
 * @param where the adapter, for the message when both are given (`withSession()`)
 */
export function dataShape(
  type: SessionClass | undefined,
  schema?: SessionSchema,
  where = 'the handler',
): DataShape {
  // null, as undefined, is no value (JavaScript callers, options built with `?? null`)
  if (schema == null) return type ? { kind: 'class', type } : { kind: 'plain', empty: () => undefined };
  if (type != null) {
    throw new SessionConfigurationError(
      `${where}: both type and schema are given; the session has one shape: keep type (a class-validator ` +
        'class) or schema (a Standard Schema validator such as valibot or zod).',
    );
  }
  if (!isStandardSchema(schema)) {
    throw new SessionConfigurationError(
      `${where}: schema must be a Standard Schema validator (valibot, zod, arktype: an object with ` +
        `'~standard'.validate), got ${typeof schema}.`,
    );
  }
  return { kind: 'schema', schema };
}

/**
 * The data a new session starts with: `new type()`; the schema's output for `{}`, so that its defaults fill
 * a new session as a class's field initialisers do; or the plain shape's empty value.
 */
export async function newData(shape: DataShape): Promise<unknown> {
  if (shape.kind === 'class') return new shape.type();
  if (shape.kind === 'plain') return shape.empty();
  try {
    return await parseWithSchema(shape.schema, {}, 'handler');
  } catch (error) {
    if (!(error instanceof SessionValidationError)) throw error;
    throw new SessionConfigurationError(
      `The session schema (${shape.schema['~standard'].vendor}) refuses {}, which a new session starts from: ` +
        'give its fields defaults (valibot v.optional(v.array(Item), []), zod .default([])) or make them ' +
        `optional. ${error.message}`,
      { cause: error },
    );
  }
}

/**
 * Stored JSON text back into a plain value, if it is at most `maxBytes` long (`maxSessionBytes`): longer data
 * is not parsed. This code never writes such data, and parsing (then hydrating, validating) it is work without
 * bound in what a small compressed item can hold.
 */
export function parseStored(json: string, ref: string, maxBytes: number): unknown {
  if (overLimit(json, maxBytes)) {
    throw new SessionCorruptError(
      `Stored data of session ${ref} is more than ${maxBytes} bytes of JSON (maxSessionBytes), more than this ` +
        'code writes, so it was not read. Delete the item; or, if a deployment with a higher maxSessionBytes ' +
        'wrote it, raise maxSessionBytes again.',
    );
  }
  try {
    return JSON.parse(json);
  } catch {
    // No cause: JSON.parse's SyntaxError quotes the text around the fault, which is the stored session.
    throw new SessionCorruptError(`Stored data of session ${ref} is not JSON; delete the item.`);
  }
}

/**
 * Whether `json` is more than `maxBytes` bytes of UTF-8. A UTF-16 unit is 1 to 3 bytes of UTF-8, so the length
 * alone decides most texts without counting bytes.
 */
function overLimit(json: string, maxBytes: number): boolean {
  if (json.length > maxBytes) return true;
  return json.length * 3 > maxBytes && Buffer.byteLength(json) > maxBytes;
}

/**
 * A stored plain value as session data: a real instance of the class, methods and nested types included.
 * Nesting too deep for class-transformer's recursion (a few thousand levels fit in a few KB of JSON) is
 * corrupt data, not a crash.
 */
export async function hydrate(shape: DataShape, plain: unknown, ref: string): Promise<unknown> {
  if (shape.kind !== 'class') return plain;
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw new SessionCorruptError(
      `Stored data of session ${ref} is ${Array.isArray(plain) ? 'an array' : typeof plain}, not an object ` +
        `that can become a ${shape.type.name}; delete the item or change the @SessionData() type.`,
    );
  }
  try {
    return (await classTools()).transformer.plainToInstance(shape.type, plain);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new SessionCorruptError(
      `Stored data of session ${ref} is nested too deeply to become a ${shape.type.name} ` +
        `(${error.message}); delete the item.`,
      { cause: error },
    );
  }
}

/**
 * The data as the shape wants it: a handler that replaced the instance with a plain object (through
 * `setSessionData`) has it hydrated, so that the class's class-transformer rules apply when it is serialised.
 */
export async function asShaped(shape: DataShape, data: unknown): Promise<unknown> {
  if (shape.kind !== 'class' || data instanceof shape.type || typeof data !== 'object' || data === null) {
    return data;
  }
  return (await classTools()).transformer.plainToInstance(shape.type, data);
}

/**
 * Session data as the JSON text that is stored. What JSON cannot hold (a `BigInt`, a cycle) is a
 * {@link SessionSerializationError} naming where it is.
 */
export async function serialize(shape: DataShape, data: unknown): Promise<string> {
  const asClass = shape.kind === 'class' && typeof data === 'object' && data !== null;
  const transformer = asClass ? (await classTools()).transformer : undefined;
  try {
    const plain = transformer ? transformer.instanceToPlain(data) : data;
    return JSON.stringify(plain) ?? 'null';
  } catch (error) {
    // class-transformer recurses into a cycle until the stack overflows (RangeError); JSON.stringify refuses a
    // BigInt (TypeError). Either way, look for what it was only now that it failed: the write path pays nothing.
    throw new SessionSerializationError(
      `Session data cannot be stored as JSON: ${unserializable(data) ?? describeThrown(error)}; nothing was ` +
        'written. Keep a BigInt as a string (or a number, if it fits) and break cycles (keep an id instead of the ' +
        'object).',
      { cause: error },
    );
  }
}

/**
 * The JSON text to write for the handler's data, checked as the next read will get it: serialised, then
 * parsed and hydrated again as a load does, and that copy validated. Returns exactly the text whose
 * rehydration was validated (serialised again from the copy when `whitelist` stripped it). So a value that JSON
 * changes (a `Date` without `@Type(() => Date)` reads back a string, `NaN` reads back `null`) fails at this
 * write, not at every later read; and a change made to the handler's object while an async validator runs is
 * not stored, since the text was taken before validation started.
 * The JSON is refused over `maxSessionBytes` before anything else is done with it: nothing later (validation,
 * compression, the store) pays for a session too large to store.
 * @param ref the session's logged name
 * @param serialized `serialize(shape, data)`, when the caller has it already
 */
export async function encodeForWrite(
  shape: DataShape,
  data: unknown,
  options: EncodeOptions,
  ref: string,
  serialized?: string,
): Promise<string> {
  const { validation, maxSessionBytes } = options;
  if (shape.kind === 'class') refuseNonObject(shape.type, data);
  const json = sizeChecked(serialized ?? (await serialize(shape, data)), maxSessionBytes, ref);
  if (shape.kind === 'plain' || validation === false) return json;
  if (shape.kind === 'schema') return encodeSchemaOutput(shape.schema, json, maxSessionBytes, ref);
  const plain: unknown = JSON.parse(json);
  refuseNonObject(shape.type, plain); // a toJSON() that answers a primitive
  const readBack = (await classTools()).transformer.plainToInstance(shape.type, plain as object);
  await validateData(shape, readBack, validation);
  // whitelist strips properties; a class-transformer rule of the class may still make the text longer
  return validation.whitelist ? sizeChecked(await serialize(shape, readBack), maxSessionBytes, ref) : json;
}

/**
 * The text to store for a schema's session: the schema's output for the data as it reads back, as JSON. When
 * the output differs from the data (a transform, a default filled in, a key stripped), that text is what the
 * next read gets, so it is parsed and validated again: what is written is always text the schema accepts.
 */
async function encodeSchemaOutput(
  schema: SessionSchema,
  json: string,
  maxSessionBytes: number,
  ref: string,
): Promise<string> {
  const output = await parseWithSchema(schema, JSON.parse(json), 'handler');
  const stored = sizeChecked(await serialize({ kind: 'schema', schema }, output), maxSessionBytes, ref);
  if (stored !== json) await parseWithSchema(schema, JSON.parse(stored), 'handler');
  return stored;
}

/** What encoding data for a write needs to know of the options. */
export interface EncodeOptions {
  readonly validation: ValidatorOptions | false;
  readonly maxSessionBytes: number;
}

/** `json`, if it is at most `maxBytes` of UTF-8; a {@link SessionTooLargeError} otherwise. */
function sizeChecked(json: string, maxBytes: number, ref: string): string {
  if (!overLimit(json, maxBytes)) return json;
  throw new SessionTooLargeError(ref, Buffer.byteLength(json), maxBytes, 'maxSessionBytes');
}

/** Data that is not an object cannot be stored as an instance of the session class: it would not read back. */
function refuseNonObject(type: SessionClass, data: unknown): void {
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) return;
  const what = data === null ? 'null' : Array.isArray(data) ? 'an array' : `a ${typeof data}`;
  throw new SessionSerializationError(
    `Session data is ${what}, not a ${type.name} object, so it would not read back as one; nothing was ` +
      `written. Set it (setSessionData(), context.session.data) to a ${type.name}, or a plain object to hydrate ` +
      'into one; to end the session, call destroy().',
  );
}

/**
 * Where in `data` JSON fails: the first `BigInt` or cycle, depth first, with its path; `undefined` if there is
 * none (the failure was something else, such as a throwing `toJSON()`). Walks with its own stack, so that data
 * deep enough to overflow class-transformer's recursion does not overflow this.
 */
function unserializable(data: unknown): string | undefined {
  type Frame = { value: unknown; path: string; ancestors: ReadonlySet<object> };
  const stack: Frame[] = [{ value: data, path: '', ancestors: new Set() }];
  const at = (path: string) => loggableText(path || '(root)', 200); // the data's keys: a client's, maybe
  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    const { value, path, ancestors } = frame;
    if (typeof value === 'bigint') return `a BigInt at ${at(path)}`;
    if (typeof value !== 'object' || value === null) continue;
    if (ancestors.has(value)) return `a cycle at ${at(path)}, which leads back to an object that contains it`;
    const inner = new Set(ancestors).add(value);
    const entries: [string, unknown][] =
      value instanceof Map
        ? [...value].map(([k, v]) => [String(k), v])
        : value instanceof Set
          ? [...value].map((v, i) => [String(i), v])
          : Object.entries(value);
    for (const [key, child] of entries.reverse()) {
      stack.push({ value: child, path: path ? `${path}.${key}` : key, ancestors: inner });
    }
  }
  return undefined;
}

function describeThrown(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'a value was thrown';
}

/**
 * Validates session data with class-validator before it is written; throws {@link SessionValidationError}
 * naming every failing property. Plain data has no class to validate against and passes.
 */
export async function validateData(
  shape: DataShape,
  data: unknown,
  options: ValidatorOptions | false,
  source: ValidationSource = 'handler',
): Promise<void> {
  if (options === false || shape.kind !== 'class') return;
  // Never the target (the whole session) on the errors; the value only so that the error can take it out of
  // the messages that quote it, and then off the errors (see SessionValidationError).
  const { validate } = (await classTools()).validator;
  const errors = await validate(data as object, {
    forbidUnknownValues: true,
    ...options,
    validationError: { target: false, value: true },
  });
  if (errors.length > 0) throw new SessionValidationError(errors, source);
}

/** What restoring stored data needs to know of the options. */
export interface RestoreOptions {
  /** The schema version this code reads. */
  readonly version: number;
  readonly migrate: ((data: unknown, fromVersion: number) => unknown) | undefined;
  /** `true`: when the stored data may fail (see {@link mustValidateOnLoad}); `'always'`; `false`: never. */
  readonly validateOnLoad: boolean | 'always';
  readonly validation: ValidatorOptions | false;
  readonly logger: SessionLogger | undefined;
  /** Stored JSON longer than this many bytes is not parsed (`maxSessionBytes`). */
  readonly maxSessionBytes: number;
}

/**
 * Stored data as the handler gets it: parsed, migrated from an older schema version, hydrated, and validated
 * when `validateOnLoad` says so. Data that cannot be is a `SessionValidationError` from the store.
 * @param schemaVersion the version the data was written under (absent: 1)
 * @param ref the session's logged name
 * @param validatedRules the fingerprint of the rules the data passed when written (see validation-rules.ts)
 */
export async function restore(
  shape: DataShape,
  json: string,
  schemaVersion: number | undefined,
  options: RestoreOptions,
  ref: string,
  validatedRules?: string,
): Promise<unknown> {
  let plain = parseStored(json, ref, options.maxSessionBytes);
  const from = schemaVersion ?? 1;
  if (from !== options.version) {
    // Written by a later deployment: a dedicated error, which the engine never resets (see engine.ts).
    if (from > options.version) throw new SessionNewerSchemaError(ref, from, options.version);
    if (!options.migrate) {
      throw new SessionValidationError([schemaVersionError(from, options.version)], 'store');
    }
    plain = await migrated(options.migrate, plain, from, options.version);
    options.logger?.debug('lambda-sessions: session migrated', { session: ref, from, to: options.version });
  }
  if (shape.kind === 'schema') {
    // The schema's output is the session: parsing is hydrating and validating at once.
    return options.validateOnLoad ? parseWithSchema(shape.schema, plain, 'store') : plain;
  }
  const data = await hydrate(shape, plain, ref);
  if (await mustValidateOnLoad(shape, options, from === options.version ? validatedRules : undefined)) {
    await validateData(shape, data, options.validation, 'store');
  }
  return data;
}

/**
 * Whether a load validates: always with `validateOnLoad: 'always'`, never with `false`; with `true`, unless the
 * data passed these very rules when it was written (`validatedRules`, given only for data of this schema
 * version: migrated data is always validated). A class changed without a `version` bump has other rules.
 */
async function mustValidateOnLoad(
  shape: DataShape,
  { validateOnLoad, validation }: RestoreOptions,
  validatedRules: string | undefined,
): Promise<boolean> {
  if (validateOnLoad !== true) return validateOnLoad === 'always';
  if (validatedRules === undefined || shape.kind !== 'class' || validation === false) return true;
  return validatedRules !== (await validationRules(shape.type, validation));
}

/**
 * The fingerprint of the rules data written now passes (see validation-rules.ts): `undefined` when the write
 * does not validate (plain data, `validation: false`), so a load never skips what no write checked.
 */
export async function rulesOfWrite(
  shape: DataShape,
  validation: ValidatorOptions | false,
): Promise<string | undefined> {
  return shape.kind === 'class' && validation !== false ? validationRules(shape.type, validation) : undefined;
}

/**
 * Whether data stored under `schemaVersion` was written by a later deployment than this code, which reads
 * `version`: data this code must leave alone.
 */
export function isNewerSchema(schemaVersion: number | undefined, version: number): boolean {
  return (schemaVersion ?? 1) > version;
}

/**
 * `migrate`'s result; a `migrate` that throws (or rejects) makes the stored data invalid, as data that fails
 * validation is: a `SessionValidationError` from the store, the error as its cause, under `onInvalidStored`.
 */
async function migrated(
  migrate: NonNullable<RestoreOptions['migrate']>,
  plain: unknown,
  from: number,
  to: number,
): Promise<unknown> {
  try {
    return await migrate(plain, from);
  } catch (error) {
    const failure = schemaVersionFailure(
      'migrate',
      `migrate(data, ${from}) to version ${to} threw ${describeThrown(error)}`,
    );
    throw new SessionValidationError([failure], 'store', { cause: error });
  }
}

/** Older stored data that nothing migrates, as a validation failure of the stored data. */
function schemaVersionError(stored: number, current: number): ValidationError {
  return schemaVersionFailure(
    'schemaVersion',
    `stored data has schema version ${stored}, this code reads ${current} and has no migrate function`,
  );
}

/**
 * A failure of the library's own, shaped as class-validator reports one (not an instance of its class, which
 * would load class-validator for plain JSON data).
 */
function schemaVersionFailure(constraint: string, message: string): ValidationError {
  return { property: 'schemaVersion', children: [], constraints: { [constraint]: message } };
}
