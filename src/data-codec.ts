/**
 * Session data between the store's JSON text and the handler's object: parse, migrate, hydrate, validate,
 * serialise. The one place that knows class-transformer and class-validator.
 */
import { instanceToPlain, plainToInstance } from 'class-transformer';
import { validate, ValidationError, type ValidatorOptions } from 'class-validator';
import {
  SessionCorruptError,
  SessionNewerSchemaError,
  SessionValidationError,
  type ValidationSource,
} from './errors';
import { type SessionLogger } from './logger';

/** A class whose instances hold session data; `new` with no arguments must work. */
export type SessionClass<T extends object = object> = new () => T;

/**
 * How session data is shaped: an instance of a class (hydrated with class-transformer, validated with
 * class-validator) or a plain JSON value (neither).
 */
export type DataShape =
  | { readonly kind: 'class'; readonly type: SessionClass }
  | { readonly kind: 'plain'; readonly empty: () => unknown };

/**
 * The shape of the data for an adapter's `type` option: a class, or plain JSON that starts as `undefined`
 * (session-lambda's `get_session_data()` before anything was set).
 */
export function dataShape(type: SessionClass | undefined): DataShape {
  return type ? { kind: 'class', type } : { kind: 'plain', empty: () => undefined };
}

/** The data a new session starts with. */
export function newData(shape: DataShape): unknown {
  return shape.kind === 'class' ? new shape.type() : shape.empty();
}

/** Stored JSON text back into a plain value. */
export function parseStored(json: string, ref: string): unknown {
  try {
    return JSON.parse(json);
  } catch (error) {
    throw new SessionCorruptError(`Stored data of session ${ref} is not JSON; delete the item.`, {
      cause: error,
    });
  }
}

/** A stored plain value as session data: a real instance of the class, methods and nested types included. */
export function hydrate(shape: DataShape, plain: unknown, ref: string): unknown {
  if (shape.kind === 'plain') return plain;
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw new SessionCorruptError(
      `Stored data of session ${ref} is ${Array.isArray(plain) ? 'an array' : typeof plain}, not an object ` +
        `that can become a ${shape.type.name}; delete the item or change the @SessionData() type.`,
    );
  }
  return plainToInstance(shape.type, plain);
}

/**
 * The data as the shape wants it: a handler that replaced the instance with a plain object (through
 * `setSessionData`) has it hydrated, so that what is validated is exactly what is stored.
 */
export function asShaped(shape: DataShape, data: unknown): unknown {
  if (shape.kind === 'plain' || data instanceof shape.type || typeof data !== 'object' || data === null) {
    return data;
  }
  return plainToInstance(shape.type, data);
}

/** Session data as the JSON text that is stored. */
export function serialize(shape: DataShape, data: unknown): string {
  const plain =
    shape.kind === 'class' && typeof data === 'object' && data !== null ? instanceToPlain(data) : data;
  return JSON.stringify(plain) ?? 'null';
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
  const errors = await validate(data as object, { forbidUnknownValues: true, ...options });
  if (errors.length > 0) throw new SessionValidationError(errors, source);
}

/** What restoring stored data needs to know of the options. */
export interface RestoreOptions {
  /** The schema version this code reads. */
  readonly version: number;
  readonly migrate: ((data: unknown, fromVersion: number) => unknown) | undefined;
  readonly validateOnLoad: boolean;
  readonly validation: ValidatorOptions | false;
  readonly logger: SessionLogger | undefined;
}

/**
 * Stored data as the handler gets it: parsed, migrated from an older schema version, hydrated, and (unless
 * `validateOnLoad` is off) validated. Data that cannot be is a `SessionValidationError` from the store.
 * @param schemaVersion the version the data was written under (absent: 1)
 * @param ref the session's logged name
 */
export async function restore(
  shape: DataShape,
  json: string,
  schemaVersion: number | undefined,
  options: RestoreOptions,
  ref: string,
): Promise<unknown> {
  let plain = parseStored(json, ref);
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
  const data = hydrate(shape, plain, ref);
  if (options.validateOnLoad) await validateData(shape, data, options.validation, 'store');
  return data;
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

function schemaVersionFailure(constraint: string, message: string): ValidationError {
  const error = new ValidationError();
  error.property = 'schemaVersion';
  error.children = [];
  error.constraints = { [constraint]: message };
  return error;
}

function describeThrown(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'a value was thrown';
}
