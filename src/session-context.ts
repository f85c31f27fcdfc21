import { onConstructor, record } from './decorators/session-data';
import { SessionConfigurationError, SessionError } from './errors';
import { deriveSessionId, generateSessionId, hashSessionId } from './session-id';

/**
 * A session's lifecycle, from inside the handler: inject it with `@SessionContext()` or read it with
 * `getSessionContext()`.
 */
export interface SessionContext {
  /** The session id as the client will hold it after this invocation (the new one after `regenerate()`). */
  readonly id: string;
  /** Whether the session was created by this invocation. */
  readonly isNew: boolean;
  /** When the session was created. */
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
   * With `seed` (a stable key such as a user id), the new id is an HMAC of the seed under the `idSecret`
   * option: the same user always gets the same session, and nobody without the secret can compute it. The
   * session already stored under that id, if any, is replaced by this one.
   */
  regenerate(options?: { seed?: string }): void;
}

/**
 * Injects the session's lifecycle handle ({@link SessionContext}) into a parameter of a method decorated with
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
    record(target, propertyKey, { kind: 'context', index, explicitType: undefined });
  };
}

/** What the engine needs to know after the handler: which lifecycle calls were made. */
export interface LifecycleState {
  readonly destroyed: boolean;
  /** Set by `regenerate()`: the new id, its key, and whether it was derived from a seed. */
  readonly regenerated:
    { readonly id: string; readonly key: string; readonly seeded: boolean; readonly at: number } | undefined;
}

/** The handle given to one invocation's handler. */
export class InvocationContext implements SessionContext, LifecycleState {
  destroyed = false;
  regenerated: LifecycleState['regenerated'];

  constructor(
    private readonly originalId: string,
    readonly isNew: boolean,
    private readonly created: number,
    private readonly expires: number | undefined,
    private readonly idSecret: Uint8Array | undefined,
  ) {}

  get id(): string {
    return this.regenerated?.id ?? this.originalId;
  }

  get createdAt(): Date {
    return new Date(this.regenerated?.at ?? this.created);
  }

  get expiresAt(): Date | undefined {
    return this.expires === undefined ? undefined : new Date(this.expires);
  }

  get isDestroyed(): boolean {
    return this.destroyed;
  }

  destroy(): void {
    this.destroyed = true;
  }

  regenerate(options: { seed?: string } = {}): void {
    if (this.destroyed)
      throw new SessionError('regenerate() after destroy(): a destroyed session has no id to renew.');
    const { seed } = options;
    if (seed !== undefined && !this.idSecret) {
      throw new SessionConfigurationError(
        'regenerate({ seed }) derives the id with an HMAC under a server secret: set the idSecret option ' +
          '(32 bytes or more) in @Session() or configureSessions().',
      );
    }
    if (seed !== undefined && (typeof seed !== 'string' || seed.length === 0)) {
      throw new SessionError('regenerate({ seed }) needs a non-empty string seed, such as the user id.');
    }
    const id = seed === undefined ? generateSessionId() : deriveSessionId(seed, this.idSecret!);
    this.regenerated = { id, key: hashSessionId(id), seeded: seed !== undefined, at: Date.now() };
  }
}
