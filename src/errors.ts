/* eslint-disable no-unused-private-class-members -- each class's #named names it as the class is defined */
import { type ValidationError } from 'class-validator';
import { type StoredSession } from './stores/session-store';
import { loggableText } from './logged-form';

/**
 * Marks the prototype of each of this library's error classes with the class's stable name. A registered
 * symbol, so the CommonJS and the ES module builds mark alike.
 */
const ERROR_CLASS = Symbol.for('lambda-sessions.error-class');

/**
 * Names an error class, as the class is defined (each class's `static #named`). The name lives on the prototype,
 * as a literal: set there, it is in place when `Error` captures the stack (so an uncaught error logs as
 * `SessionMetadataError: ...`, not `Error: ...`), and a minifier that renames classes cannot change it. The
 * same literal marks the prototype for `instanceof` across the two builds (the mark is not `name`, which a
 * user's subclass may set to anything). A static initialiser annotated as pure, not a statement after the
 * classes: a bundler then leaves out each class a handler never refers to.
 */
function named(type: abstract new (...args: never[]) => Error, name: string): string {
  Object.defineProperty(type.prototype, 'name', { value: name, writable: true, configurable: true });
  Object.defineProperty(type.prototype, ERROR_CLASS, { value: name });
  return name;
}

/**
 * Root of every error this library throws. Catch `SessionError` to handle them all; each subclass sets a
 * stable `name` and says in its message what to change.
 */
export class SessionError extends Error {
  static #named = /* @__PURE__ */ named(this, 'SessionError');

  /**
   * @param options `cause`: what failed underneath. An AWS SDK error is kept as a copy of its class, `name`,
   *   `message`, `stack`, `$fault`, `$metadata` and `$retryable`, without what it carries of the request and
   *   the table: a failed condition's `Item` (another request's session), `$response` (the raw HTTP exchange,
   *   request headers included). Any other cause is kept as it is.
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options && { cause: withoutRequestData(options.cause) });
  }

  /**
   * `instanceof` for this library's error classes: true for instances of the class, as usual, and also for
   * instances of the same class from the package's other build (a process can load both the CommonJS and the
   * ES module build, and each defines its own classes). An error belongs to a class when a prototype along its
   * chain carries that class's mark; `SessionError`'s mark is on every error of the family. A subclass of your
   * own has no mark and gets the usual `instanceof`.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    const mark = markOf(this.prototype);
    if (mark === undefined || typeof value !== 'object' || value === null) return false;
    for (let proto: unknown = Object.getPrototypeOf(value); proto; proto = Object.getPrototypeOf(proto)) {
      if (markOf(proto) === mark) return true;
    }
    return false;
  }
}

/** The stable name a prototype is marked with, if it is one of this library's error classes' own. */
function markOf(proto: unknown): unknown {
  return Object.hasOwn(proto as object, ERROR_CLASS)
    ? (proto as Record<typeof ERROR_CLASS, unknown>)[ERROR_CLASS]
    : undefined;
}

/** An option has a value that cannot work; the message names the option and what it accepts. */
export class SessionConfigurationError extends SessionError {
  static #named = /* @__PURE__ */ named(this, 'SessionConfigurationError');
}

/** No store could be found for a handler: neither `store`, `tableName` nor the environment variable is set. */
export class SessionStoreNotSetError extends SessionConfigurationError {
  static #named = /* @__PURE__ */ named(this, 'SessionStoreNotSetError');

  constructor() {
    super(
      'Store not set: call configureSessions({ tableName }) (or configureSessions({ store })) before the first ' +
        'invocation, set the SESSION_LAMBDA_DYNAMODB_TABLE_NAME environment variable, or pass `store` to @Session().',
    );
  }
}

/**
 * The class of a `@SessionData()` parameter cannot be known, or the decorators are used in a way that cannot
 * work. Thrown when the class is defined (at decoration time), not at the first request.
 */
export class SessionMetadataError extends SessionError {
  static #named = /* @__PURE__ */ named(this, 'SessionMetadataError');
}

/** Where data that failed validation came from. */
export type ValidationSource = 'handler' | 'store';

/**
 * The session object failed `class-validator`'s `validate()`, or stored data could not be migrated (its
 * `migrate` threw: the error is the `cause`). Nothing was written: the stored session is what it was before
 * the invocation.
 *
 * Before a write, what is validated is the data as the next read will get it: written as JSON and hydrated
 * again. A `Date` field without `@Type(() => Date)`, or `NaN` in a number field, fails here, at the first write.
 */
export class SessionValidationError extends SessionError {
  static #named = /* @__PURE__ */ named(this, 'SessionValidationError');

  readonly #errors: ValidationError[];

  /**
   * @param errors the errors as `class-validator` reported them, kept without what they hold of the session:
   *   each one's `target` (the whole session) and `value` are removed, and a value a constraint message quotes
   *   (`$value` in a custom message) is replaced by `[value]`
   */
  constructor(
    errors: ValidationError[],
    /** `handler`: the session as the handler left it; `store`: the session as it was read. */
    readonly source: ValidationSource = 'handler',
    options?: ValidationErrorOptions,
  ) {
    super(
      validationMessage(withoutSessionData(errors), source, options?.validator),
      options && 'cause' in options ? { cause: options.cause } : undefined,
    );
    this.#errors = errors;
  }

  /**
   * The errors as `class-validator` reported them, nested ones included. An accessor, not an own property:
   * a logger that prints the error's properties prints the message, which names the first failures (escaped,
   * bounded), and not a list that stored data can make as long as it likes.
   */
  get errors(): ValidationError[] {
    return this.#errors;
  }
}

/** What else a {@link SessionValidationError} is told. */
export interface ValidationErrorOptions {
  /** What failed underneath (the error a `migrate` threw). */
  cause?: unknown;
  /**
   * The vendor of the Standard Schema validator that refused the data (`valibot`, `zod`), when a `schema`
   * shapes the session: the message's advice is about the schema, not class-validator's decorators.
   */
  validator?: string;
}

/** The constraint a {@link SessionNewerSchemaError} reports, under the property `schemaVersion`. */
const NEWER_SCHEMA = 'newerSchemaVersion';

function validationMessage(
  errors: readonly ValidationError[],
  source: ValidationSource,
  validator: string | undefined,
): string {
  const { lines, more } = validationFailures(errors, MESSAGE_FAILURES, true);
  const failures = lines.join('; ') + (more > 0 ? `; and ${more} more` : '');
  if (source === 'handler' && validator !== undefined) {
    return (
      `Session data is invalid (as the handler left it, nothing was written): ${failures}. Fix the handler or ` +
      `the ${validator} schema. The data is validated as the next read will get it, written as JSON and ` +
      "parsed again; the schema's output is what is stored, and it must pass the schema too (a transform " +
      'that changes the type of what it outputs does not read back).'
    );
  }
  if (source === 'handler') {
    return (
      `Session data is invalid (as the handler left it, nothing was written): ${failures}. Fix the handler or ` +
      'the class-validator decorators of the session class. The data is validated as the next read will get ' +
      'it, written as JSON and hydrated again: a Date, Map, Set or nested object needs @Type(), such as ' +
      '@Type(() => Date).'
    );
  }
  const advice = errors.some((error) => error.constraints?.[NEWER_SCHEMA] !== undefined)
    ? 'This code leaves data a later deployment wrote alone: it will not reset, overwrite or slide it, ' +
      'whatever onInvalidStored says, and only destroy() (log-out) deletes it. Deploy the code that reads that ' +
      'version again.'
    : `The session ${validator === undefined ? 'class' : `${validator} schema`} changed since it was stored: ` +
      "give @Session() a version and a migrate function, or set onInvalidStored: 'reset' to start such " +
      'sessions afresh.';
  return `Session data is invalid (as read from the store): ${failures}. ${advice}`;
}

/**
 * The stored session was written by a later deployment: its schema `version` is newer than the one this code
 * reads (a rollback, or two versions serving side by side). This code never resets, overwrites or slides
 * such a session, whatever `onInvalidStored` says: reading or replacing its data throws this error (for a
 * `@SessionData()` parameter, before the method runs), and so does `regenerate()` onto it. `destroy()` still
 * deletes it, so that log-out works. A `SessionValidationError` with `source: 'store'`.
 */
export class SessionNewerSchemaError extends SessionValidationError {
  static #named = /* @__PURE__ */ named(this, 'SessionNewerSchemaError');

  constructor(
    /** The logged form of the session id (its hash prefix). */
    readonly sessionRef: string,
    /** The schema version the session was stored under. */
    readonly storedVersion: number,
    /** The schema version this code reads (its `version` option). */
    readonly readsVersion: number,
  ) {
    super([newerSchemaFailure(storedVersion, readsVersion)], 'store');
  }
}

/**
 * The failure, shaped as class-validator reports one (not an instance of its class: constructing this error
 * must not load class-validator, which a handler on plain JSON data never loads).
 */
function newerSchemaFailure(stored: number, reads: number): ValidationError {
  return {
    property: 'schemaVersion',
    children: [],
    constraints: {
      [NEWER_SCHEMA]: `stored data has schema version ${stored}, newer than this code's ${reads} (written by a later deployment)`,
    },
  };
}

/**
 * The session data cannot be stored as JSON that reads back as the session: it holds a `BigInt` or a cycle,
 * or it is not an object where the session is a class (`setSessionData(null)`). The message names the path.
 * Nothing was written: the stored session is what it was before the invocation.
 */
export class SessionSerializationError extends SessionError {
  static #named = /* @__PURE__ */ named(this, 'SessionSerializationError');
}

/**
 * The method that gives what a conflict's write lost to. The winner is a private field, which no serialiser
 * walks (JSON, `util.inspect` even with `showHidden`, Powertools, pino); the method under a registered symbol is
 * on the prototype, so that an engine of the package's other build can ask an error of this one.
 */
const WINNER = Symbol.for('lambda-sessions.conflict-winner.v2');

/**
 * Another invocation changed or created the session between this invocation's read and its write. Nothing was
 * overwritten; the caller may retry the request.
 */
export class SessionConflictError extends SessionError {
  static #named = /* @__PURE__ */ named(this, 'SessionConflictError');

  readonly #winner: ConflictWinner | undefined;

  /**
   * @param sessionRef the logged form of the session id (its hash prefix)
   * @param options `current`: what the store holds now under `key`, the key the write lost on, when the failed
   *   write told it (DynamoDB returns the item with the failure; `null`: nothing is stored), so that a retry
   *   starts from it without another read
   */
  constructor(
    /** The logged form of the session id (its hash prefix). */
    readonly sessionRef: string,
    options?: { cause?: unknown; key?: string; current?: StoredSession | null },
  ) {
    super(
      `Session ${sessionRef} was changed by a concurrent request; this invocation's changes were not saved. ` +
        'Retry the request.',
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    if (options?.current !== undefined && options.key !== undefined) {
      this.#winner = { key: options.key, current: options.current };
    }
  }

  // On the prototype, not enumerable, out of the public types: how conflictWinner() reads the private field, in
  // this build and from the other one.
  // A static initialiser annotated as pure rather than a static block, which a bundler must keep.
  // (`this`, not `this.prototype`: a property read is a side effect to a bundler.)
  static #winnerMethod = /* @__PURE__ */ onPrototype(this, WINNER, function (this: SessionConflictError):
    ConflictWinner | undefined {
    return this.#winner;
  });
}

/** Defines a method of an error class's prototype, under a symbol, not enumerable (as a class's methods are). */
function onPrototype(
  type: abstract new (...args: never[]) => Error,
  key: symbol,
  value: () => unknown,
): symbol {
  Object.defineProperty(type.prototype, key, { value });
  return key;
}

/** What a conflict's write lost to: the key it lost on, and what that key holds (`null`: nothing). */
export interface ConflictWinner {
  readonly key: string;
  readonly current: StoredSession | null;
}

/** What a conflict's write lost to, if the store said; `undefined` when it must be read again. */
export function conflictWinner(error: SessionConflictError): ConflictWinner | undefined {
  // A conflict of another version of this package, whose classes have no such method, costs one read.
  const winner: unknown = (error as unknown as Record<symbol, unknown>)[WINNER];
  return typeof winner === 'function' ? (winner as () => ConflictWinner | undefined).call(error) : undefined;
}

/** Which limit a {@link SessionTooLargeError} hit. */
export type SessionSizeLimit = 'maxItemBytes' | 'maxSessionBytes';

/**
 * The session is too large to write: its JSON is over `maxSessionBytes` (checked before it is compressed), or
 * the item would not fit in DynamoDB (400 KB, `maxItemBytes`) even compressed. Thrown before any request: the
 * stored session is what it was before the invocation.
 */
export class SessionTooLargeError extends SessionError {
  static #named = /* @__PURE__ */ named(this, 'SessionTooLargeError');

  constructor(
    /** The logged form of the session id (its hash prefix). */
    readonly sessionRef: string,
    /** The size that is over the limit, in bytes: of the JSON (`maxSessionBytes`) or of the item. */
    readonly size: number,
    /** The limit, in bytes. */
    readonly limit: number,
    /** The option that sets the limit that was hit. @default 'maxItemBytes' */
    readonly option: SessionSizeLimit = 'maxItemBytes',
  ) {
    super(
      (option === 'maxSessionBytes'
        ? `Session ${sessionRef} is ${size} bytes of JSON, over maxSessionBytes (${limit}); nothing was written. `
        : `Session ${sessionRef} would be ${size} bytes stored (compressed), over the ${limit}-byte item limit ` +
          '(maxItemBytes); nothing was written. ') +
        'Keep large data elsewhere (S3) and only a reference in the session' +
        (option === 'maxSessionBytes' ? ', or raise maxSessionBytes.' : '.'),
    );
  }
}

/**
 * The handler's response cannot carry the session id (its `headers` are not an object, a single-value ALB
 * response would need a second `Set-Cookie`, ...). Raised before anything is written.
 */
export class SessionResponseError extends SessionError {
  static #named = /* @__PURE__ */ named(this, 'SessionResponseError');
}

/**
 * The store could not be reached or refused the request (throttling, network, missing table, permissions), or
 * did not answer a read in the call's time budget. Thrown as this class, nothing was written: the stored session
 * is what it was before the invocation. When a write may have been applied all the same, the error is its
 * subclass {@link SessionWriteUnknownError}.
 */
export class SessionStoreUnavailableError extends SessionError {
  static #named = /* @__PURE__ */ named(this, 'SessionStoreUnavailableError');
}

/**
 * A write (a save, an expiry slide or a delete) was sent and no answer said whether the store applied it: the
 * time budget ran out with the request in flight, or the SDK's last attempt ended in a reset connection, a
 * timeout or a server error. (An answer lost on an earlier attempt is not this: the SDK sends the write again,
 * and its write token makes that safe.) The stored session is either the one this invocation wrote, or
 * deleted, or the one before; nobody can tell from here.
 *
 * A subclass of {@link SessionStoreUnavailableError}, so existing `catch`es still take it; test for this class
 * first to tell "maybe written" from "not written". Before repeating a change that must not happen twice (an
 * order, a payment, a counter), read the session again to see whether it was saved.
 *
 * @example
 * try {
 *   return await handler(event, context);
 * } catch (error) {
 *   if (error instanceof SessionWriteUnknownError) return { statusCode: 503, body: 'Saved or not: reload' };
 *   if (error instanceof SessionStoreUnavailableError) return { statusCode: 503, body: 'Not saved: retry' };
 *   throw error;
 * }
 */
export class SessionWriteUnknownError extends SessionStoreUnavailableError {
  static #named = /* @__PURE__ */ named(this, 'SessionWriteUnknownError');
}

/** A stored item exists but cannot be read as a session (not written by this library, or damaged). */
export class SessionCorruptError extends SessionError {
  static #named = /* @__PURE__ */ named(this, 'SessionCorruptError');
}

/** How many failures a message or a log line names; the rest are counted. */
const MESSAGE_FAILURES = 20;
/** The longest property path, constraint name and constraint message a message quotes, in characters. */
const MAX_PATH = 200;
const MAX_CONSTRAINT = 80;
const MAX_CONSTRAINT_MESSAGE = 300;

/**
 * What may be logged of validation failures: each property path and constraint name (`items.0.qty [min]`),
 * never the constraint's message, which may quote the value. The first {@link MESSAGE_FAILURES}, then how many
 * more; paths escaped and bounded, since stored JSON (a client's, through a handler) chooses property names.
 */
export function loggableValidationFailures(errors: readonly ValidationError[]): string[] {
  const { lines, more } = validationFailures(errors, MESSAGE_FAILURES, false);
  return more > 0 ? [...lines, `and ${more} more`] : lines;
}

/**
 * One line per failing constraint, with the property's full path: `items.0.qty: qty must not be less than 1
 * [min]`. Every one of them: for messages and logs, see {@link validationFailures}.
 */
export function describeValidationErrors(errors: readonly ValidationError[]): string[] {
  return validationFailures(errors, Infinity, true).lines;
}

/**
 * The first `limit` failing constraints, depth first, and how many more there are. Walks with its own stack:
 * data with 100,000 invalid items neither overflows the call stack nor builds a message of megabytes. Paths,
 * constraint names and messages are escaped (CR/LF, controls) and bounded.
 * @param withMessages whether to quote each constraint's message (which may quote the value: not for logs)
 */
function validationFailures(
  errors: readonly ValidationError[],
  limit: number,
  withMessages: boolean,
): { lines: string[]; more: number } {
  const lines: string[] = [];
  let more = 0;
  const stack = [...errors].reverse().map((error) => ({ error, path: '' }));
  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    const { error } = frame;
    const path = frame.path ? `${frame.path}.${String(error.property)}` : String(error.property ?? '');
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      if (lines.length >= limit) {
        more++;
        continue;
      }
      const at = loggableText(path || '(root)', MAX_PATH);
      const name = loggableText(constraint, MAX_CONSTRAINT);
      lines.push(
        withMessages
          ? `${at}: ${loggableText(String(message), MAX_CONSTRAINT_MESSAGE)} [${name}]`
          : `${at} [${name}]`,
      );
    }
    const children = error.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push({ error: children[i]!, path });
  }
  return { lines, more };
}

/**
 * `errors` without the session: `target` and `value` removed from each (nested ones included), and a value
 * that a constraint message quotes replaced by `[value]` (class-validator puts a string, number or boolean
 * value where a message says `$value`). In place: they are this error's own, fresh from `validate()`.
 */
function withoutSessionData(errors: ValidationError[]): ValidationError[] {
  const stack = [...errors];
  for (let error = stack.pop(); error; error = stack.pop()) {
    const { value, constraints } = error as { value?: unknown; constraints?: Record<string, string> };
    const quoted = ['string', 'number', 'boolean'].includes(typeof value) ? String(value) : '';
    if (quoted && constraints) {
      for (const [name, message] of Object.entries(constraints)) {
        constraints[name] = String(message).split(quoted).join('[value]');
      }
    }
    delete (error as { target?: unknown }).target;
    delete (error as { value?: unknown }).value;
    for (const child of error.children ?? []) stack.push(child); // no spread: 100,000 children overflow it
  }
  return errors;
}

/** SDK properties that hold what the request sent or the table holds (`Item` of a failed condition, ...). */
const SDK_MARKERS = ['$metadata', '$fault', '$response'] as const;

/**
 * An AWS SDK error as a cause may keep it: a copy of the same class with its name, message, stack and the
 * SDK's metadata, without `Item`, `CancellationReasons`, `$response` and whatever else the exception was
 * given from the response body. Anything that is not an SDK error is kept as it is.
 */
function withoutRequestData(cause: unknown): unknown {
  if (!(cause instanceof Error) || !SDK_MARKERS.some((marker) => Object.hasOwn(cause, marker))) return cause;
  const sdk = cause as Error & { $fault?: unknown; $metadata?: unknown; $retryable?: unknown };
  const copy = Object.create(Object.getPrototypeOf(cause) as object) as Error;
  for (const key of ['message', 'stack'] as const) {
    Object.defineProperty(copy, key, { value: cause[key], writable: true, configurable: true });
  }
  return Object.assign(copy, {
    name: cause.name,
    ...(sdk.$fault !== undefined && { $fault: sdk.$fault }),
    ...(sdk.$metadata !== undefined && { $metadata: requestMetadata(sdk.$metadata) }),
    ...(sdk.$retryable !== undefined && { $retryable: sdk.$retryable }),
  });
}

/** The SDK's `$metadata`, field by field: status, request ids, attempts. */
function requestMetadata(metadata: unknown): Record<string, unknown> {
  const source = (typeof metadata === 'object' && metadata !== null ? metadata : {}) as Record<
    string,
    unknown
  >;
  const fields = ['httpStatusCode', 'requestId', 'extendedRequestId', 'cfId', 'attempts', 'totalRetryDelay'];
  return Object.fromEntries(fields.filter((f) => source[f] !== undefined).map((f) => [f, source[f]]));
}
