import { onConstructor, record } from './parameters';

/** What `SessionContext.regenerate()` may bind the session to. */
export interface RegenerateOptions {
  /**
   * Binds the session to an owner (the user who logs in: a user id, an e-mail): `listSessions(owner)` then
   * lists it, `revokeSession()` and `revokeAllSessions()` end it. The owner is stored only as an HMAC under the
   * `idSecret` option, which owners need. Without `owner`, a session bound to one stays bound (an id rotation).
   */
  owner?: string;
  /**
   * A short device label shown by `listSessions()` (e.g. "Firefox on Linux", from the User-Agent). Control
   * characters are dropped, whitespace collapsed, and it is cut to 100 characters: a label made from what a
   * client sent is safe to pass. Only for a session bound to an owner.
   */
  label?: string;
}

/**
 * A session's lifecycle, from inside the handler: inject it with `@SessionContext()` or read it with
 * `getSessionContext()`.
 *
 * Safe to log: the handle keeps the id (and the `idSecret` that keys owners) in private fields, and
 * `JSON.stringify()`, `console.log()`, `util.inspect()` and structured loggers (Powertools' `{ ctx }`, pino)
 * print only its hash prefix (`session`), `isNew`, `createdAt`, `expiresAt`, `isDestroyed` and whether it was
 * regenerated. Only reading `id` gives the id.
 */
export interface SessionContext {
  /**
   * The session id as the client will hold it after this invocation (the new one after `regenerate()`): a
   * bearer credential, readable only by this explicit access. Never log it; log the handle, which names the
   * session by its hash prefix.
   */
  readonly id: string;
  /**
   * The session's reference: a prefix of its id's hash, as logs name it and `listSessions()` gives it (to mark
   * "this device" in a list, or to exclude it). Not a credential.
   */
  readonly ref: string;
  /** Whether the session was created by this invocation. */
  readonly isNew: boolean;
  /**
   * When the session was created; once it has been regenerated (logged in), when its log-in chain started:
   * the first `regenerate()` of a session starts a chain, later ones carry it on, and the absolute timeout
   * counts from it.
   */
  readonly createdAt: Date;
  /** When the session dies unless used again; `undefined` when it never expires. */
  readonly expiresAt: Date | undefined;
  /** Whether `destroy()` was called. */
  readonly isDestroyed: boolean;
  /**
   * Ends the session (log-out): its item is deleted after the handler returns, the response carries no id,
   * and the cookie, if any, is cleared. Its data is not written.
   */
  destroy(): void;
  /**
   * Gives the session a new id and keeps its data: call it on every privilege change (log-in), so that an id
   * an attacker planted or saw before is dead at once. The old item is deleted after the handler returns.
   *
   * With `owner`, the session belongs to that user from now on (see {@link RegenerateOptions}): each device
   * has its own session and id, and `revokeAllSessions(owner)` ends all of them at their next request.
   */
  regenerate(options?: RegenerateOptions): void;
}

/**
 * Injects the session's lifecycle handle (the `SessionContext` interface) into a parameter of a method decorated with
 * `@Session()`: its id, age and expiry, `destroy()` for log-out and `regenerate()` for log-in.
 *
 * @example
 * \@Session({ update: true, cookie: true })
 * async logIn(event: APIGatewayProxyEventV2, @SessionData() user: UserSession, @SessionContext() session: SessionContext) {
 *   user.name = await checkPassword(event);
 *   session.regenerate(); // a new id on every privilege change
 * }
 */
export function SessionContext(): ParameterDecorator {
  return (target, propertyKey, index) => {
    if (propertyKey === undefined) throw onConstructor('@SessionContext()', target);
    record(target, propertyKey, { kind: 'lifecycle', index, explicitType: undefined });
  };
}
