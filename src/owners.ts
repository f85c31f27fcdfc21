/**
 * Sessions that belong to a user: list a user's devices, end one, end all. The sessions are bound to their
 * owner by `regenerate({ owner })`; these functions work from any handler or script, on the store and
 * `idSecret` that `configureSessions()` set (or those given).
 */
import { callBudget } from './budget';
import { globalConfig, resolveStore } from './config';
import { DEFAULT_STORE_TIMEOUT_MS } from './constants';
import { type SessionContext } from './decorators/session-context';
import { SessionConfigurationError, SessionError } from './errors';
import { checkOwner, SessionLifecycle } from './lifecycle';
import { secretKey } from './secret';
import { ownerKeyOf, sessionRef } from './session-id';
import { isRevoked, ownerIndexOf, type SessionStore } from './stores/session-store';

/** Where the owner functions find the sessions, when not where `configureSessions()` put them. */
export interface OwnerCallOptions {
  /** The store. @default the store `configureSessions()` set, else the table the environment names */
  store?: SessionStore;
  /** The server secret the owners are keyed with: the same as the handlers'. @default `configureSessions()`' */
  idSecret?: string | Uint8Array;
  /** Time budget of each store call, in milliseconds. @default `configureSessions()`' `storeTimeoutMs`, else 3000 */
  storeTimeoutMs?: number;
}

/** One session of an owner, as {@link listSessions} gives it: what a "your devices" page shows. */
export interface OwnedSession {
  /** The session's reference (its id's hash prefix, as `SessionContext.ref`): what {@link revokeSession} takes. */
  readonly ref: string;
  /** When the session was created (its log-in). */
  readonly createdAt: Date;
  /** When the session was last written or its expiry last slid (within `touchAfter` of its last use). */
  readonly lastUsedAt: Date;
  /** When it dies unless used again; `undefined` when it never expires. */
  readonly expiresAt: Date | undefined;
  /** The device label given at log-in, `regenerate({ owner, label })`. */
  readonly label: string | undefined;
}

/**
 * The owner's live sessions, most recently used first: neither expired nor revoked. Costs one strongly
 * consistent read of the owner's epoch and one index query (on DynamoDB a `Query` of the owner index, which
 * may lag a log-in of the last second).
 *
 * @example
 * const devices = await listSessions(user.id);
 * const current = devices.find((d) => d.ref === ctx.ref);
 */
export async function listSessions(owner: string, options: OwnerCallOptions = {}): Promise<OwnedSession[]> {
  const { owners, ownerKey, budget } = ownerAccess(owner, options, 'listSessions()');
  const [summaries, epoch] = await Promise.all([
    budget((o) => owners.list(ownerKey, o), 'read'),
    budget((o) => owners.epoch(ownerKey, o), 'read'),
  ]);
  const now = Date.now();
  return summaries
    .filter((s) => !isRevoked(s, epoch) && (s.expiresAt === undefined || s.expiresAt > now))
    .sort((a, b) => b.updatedAt - a.updatedAt)
    .map((s) => ({
      ref: sessionRef(s.key),
      createdAt: new Date(s.createdAt),
      lastUsedAt: new Date(s.updatedAt),
      expiresAt: s.expiresAt === undefined ? undefined : new Date(s.expiresAt),
      label: s.label,
    }));
}

/**
 * Ends one session of the owner ("sign out this device"), found by its `ref` among the owner's sessions: its
 * item is deleted, so its next request has no session, and a request of it in flight loses its conditional
 * write. `'absent'` when the owner has no such session (already ended, or another owner's).
 *
 * To end the current invocation's own session, call `destroy()` on its handle instead: that also clears its
 * cookie.
 */
export async function revokeSession(
  owner: string,
  ref: string,
  options: OwnerCallOptions = {},
): Promise<'revoked' | 'absent'> {
  const { owners, ownerKey, budget, store } = ownerAccess(owner, options, 'revokeSession()');
  if (typeof ref !== 'string' || ref.length === 0) {
    throw new SessionError('revokeSession(owner, ref) needs the ref listSessions() gave.');
  }
  const summaries = await budget((o) => owners.list(ownerKey, o), 'read');
  const found = summaries.find((s) => sessionRef(s.key) === ref);
  if (!found) return 'absent';
  const deleted = await budget((o) => store.delete(found.key, undefined, o));
  return deleted === 'deleted' ? 'revoked' : 'absent';
}

/** What {@link revokeAllSessions} may keep. */
export interface RevokeAllOptions extends OwnerCallOptions {
  /**
   * The current invocation's session handle, to keep signed in ("sign out everywhere else"): it stays under a
   * new id (so a copy of its old cookie dies with the others), sent with this invocation's response; unless
   * another revocation landed since it was read, which ends it too.
   */
  except?: SessionContext;
}

/**
 * Ends every session of the owner ("sign out everywhere", after a password change): one atomic raise of the
 * owner's epoch, after which each of them finds itself revoked at its very next request (the epoch is read
 * with the session, strongly consistent), and a request of them in flight cannot bring one back (an id
 * rotation, or a log-in again as the same owner, keeps the epoch it was bound under). A log-in that completes
 * afterwards is bound under the new epoch and lives.
 *
 * @returns whether `except` was kept: `false` without it, and when another revocation landed since the kept
 *   session was read (then it is ended too: a request racing a "sign out everywhere" cannot keep itself in)
 */
export async function revokeAllSessions(owner: string, options: RevokeAllOptions = {}): Promise<boolean> {
  const { owners, ownerKey, budget } = ownerAccess(owner, options, 'revokeAllSessions()');
  const { except } = options;
  if (except !== undefined && !(except instanceof SessionLifecycle)) {
    throw new SessionError(
      'revokeAllSessions(owner, { except }) takes the session handle of the current invocation ' +
        "(@SessionContext(), getSessionContext() or middy's context.session.lifecycle).",
    );
  }
  const keep = except?.bindingToKeep(ownerKey);
  const epoch = await budget((o) => owners.revokeAll(ownerKey, o));
  return keep ? except!.keepThroughRevocation(keep, epoch) : false;
}

/** The store's owner index, the owner's key and a time budget, or an error that says what to set. */
function ownerAccess(owner: string, options: OwnerCallOptions, where: string) {
  checkOwner(owner, where);
  const { config } = globalConfig();
  const secret = options.idSecret ?? config.idSecret;
  if (secret === undefined) {
    throw new SessionConfigurationError(
      `${where}: owners are keyed with the server secret: set idSecret in configureSessions() (the same as the ` +
        'handlers that log in) or pass it in the options.',
    );
  }
  const store = options.store ?? resolveStore(undefined);
  const owners = ownerIndexOf(store, where);
  const budget = callBudget(
    options.storeTimeoutMs ?? config.storeTimeoutMs ?? DEFAULT_STORE_TIMEOUT_MS,
    undefined,
  );
  return { owners, ownerKey: ownerKeyOf(owner, secretKey(secret, where)), budget, store };
}
