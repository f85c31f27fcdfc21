import { onConstructor, record } from './parameters';

/**
 * A session's lifecycle, from inside the handler: inject it with `@SessionContext()` or read it with
 * `getSessionContext()`.
 *
 * Safe to log: the handle keeps the id (and the `idSecret` that derives seeded ids) in private fields, and
 * `JSON.stringify()`, `console.log()`, `util.inspect()` and structured loggers (Powertools' `{ ctx }`, pino)
 * print only its hash prefix (`session`), `isNew`, `createdAt`, `expiresAt`, `isDestroyed` and whether it was
 * regenerated. Only reading `id` gives the id.
 */
export interface SessionContext {
  /**
   * The session id as the client will hold it after this invocation (the new one after `regenerate()`; after
   * `regenerate({ seed })` it is settled when the session is written, which may join another device's): a
   * bearer credential, readable only by this explicit access. Never log it; log the handle, which names the
   * session by its hash prefix.
   */
  readonly id: string;
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
   * With `seed` (a stable key such as a user id, and the `idSecret` option), every device of the user shares
   * one session: while a session of that seed is alive, a log-in joins it (its id, its start; the data is
   * this session's), and otherwise starts a new one under a new id. `destroy()` on any device ends it for all,
   * and no id of it, stolen or not, opens the next one. Nobody without the secret can compute these ids.
   */
  regenerate(options?: { seed?: string }): void;
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
