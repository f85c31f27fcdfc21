/** A session's lifecycle within one invocation: its id and age, `destroy()` and `regenerate()`. */
import { SessionConfigurationError, SessionError } from './errors';
import { type RegenerateOptions, type SessionContext } from './decorators/session-context';
import {
  generateOwnedSessionId,
  generateSessionId,
  hashSessionId,
  newSalt,
  ownerKeyOf,
  sessionRef,
} from './session-id';
import { INSPECT, type InspectFormat, loggedAs } from './logged-form';

/**
 * Whom a session belongs to: the owner key, the owner's epoch the session is bound under (`undefined` until
 * the write path reads it, for a fresh log-in) and the device label.
 */
export interface OwnerBinding {
  readonly key: string;
  readonly epoch: number | undefined;
  readonly label: string | undefined;
}

/** What the engine needs to know after the handler: which lifecycle calls were made. */
export interface LifecycleState {
  readonly destroyed: boolean;
  /**
   * Set by `regenerate()`: the new id, its key, what its item keeps of its log-in chain (see
   * `StoredSession.chain`), when that chain started (`at`: now, or the start of the chain the session was in
   * already), and whom it belongs to.
   */
  readonly regenerated:
    | {
        readonly id: string;
        readonly key: string;
        readonly chain: string;
        readonly at: number;
        readonly owner: OwnerBinding | undefined;
      }
    | undefined;
}

/** The longest owner accepted, in characters: an id or an e-mail, not a document. */
const MAX_OWNER = 1024;

/** Refuses an owner that is not a non-empty string of at most {@link MAX_OWNER} characters. */
export function checkOwner(owner: unknown, where: string): asserts owner is string {
  if (typeof owner !== 'string' || owner.length === 0 || owner.length > MAX_OWNER) {
    throw new SessionError(
      `${where} needs the owner as a non-empty string of at most ${MAX_OWNER} characters, such as the user id.`,
    );
  }
}

/** The longest device label kept, in characters. */
const MAX_LABEL = 100;

/** What a logged {@link SessionContext} shows: nothing that would let a log reader use or compute an id. */
export interface SessionContextFacts {
  /** The session's logged name: the hash prefix of its current id (after `regenerate()`, of the new one). */
  readonly session: string;
  readonly isNew: boolean;
  readonly createdAt: string;
  readonly expiresAt: string | undefined;
  readonly isDestroyed: boolean;
  readonly regenerated: boolean;
}

/**
 * The lifecycle handle given to one invocation's handler (as {@link SessionContext}), which the engine reads
 * after the handler: was the session destroyed or regenerated.
 *
 * The ids and the secret are private fields (`#`), which no serialiser sees; `toJSON()` and `util.inspect`'s
 * hook give {@link SessionContextFacts} only, so `console.log(ctx)`, `JSON.stringify(ctx)` or a structured
 * logger's `{ ctx }` print no id. `id` stays readable by explicit access.
 */
export class SessionLifecycle implements SessionContext, LifecycleState {
  readonly #originalId: string;
  readonly #isNew: boolean;
  readonly #created: number;
  readonly #expires: number | undefined;
  readonly #idSecret: Uint8Array | undefined;
  readonly #chained: boolean;
  readonly #owner: OwnerBinding | undefined;
  #destroyed = false;
  #regenerated: LifecycleState['regenerated'];

  constructor(
    originalId: string,
    isNew: boolean,
    created: number,
    expires: number | undefined,
    idSecret: Uint8Array | undefined,
    /** Whether the session is in a log-in chain (a `regenerate()` wrote it): the chain's start carries on. */
    chained: boolean,
    /** Whom the stored session belongs to. */
    owner?: OwnerBinding,
  ) {
    this.#originalId = originalId;
    this.#isNew = isNew;
    this.#created = created;
    this.#expires = expires;
    this.#idSecret = idSecret;
    this.#chained = chained;
    this.#owner = owner;
  }

  get id(): string {
    return this.#regenerated?.id ?? this.#originalId;
  }

  get ref(): string {
    return sessionRef(this.#regenerated?.key ?? hashSessionId(this.#originalId));
  }

  /** Whom the session belongs to after this invocation: the regenerated binding, else the stored one. */
  get owner(): OwnerBinding | undefined {
    return this.#regenerated ? this.#regenerated.owner : this.#owner;
  }

  get isNew(): boolean {
    return this.#isNew;
  }

  get createdAt(): Date {
    return new Date(this.#regenerated?.at ?? this.#created);
  }

  get expiresAt(): Date | undefined {
    return this.#expires === undefined ? undefined : new Date(this.#expires);
  }

  get isDestroyed(): boolean {
    return this.#destroyed;
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  get regenerated(): LifecycleState['regenerated'] {
    return this.#regenerated;
  }

  destroy(): void {
    this.#destroyed = true;
  }

  regenerate(options: RegenerateOptions = {}): void {
    if (this.#destroyed)
      throw new SessionError('regenerate() after destroy(): a destroyed session has no id to renew.');
    if ('seed' in options) {
      throw new SessionConfigurationError(
        'regenerate({ seed }) was replaced by sessions that belong to a user: call regenerate({ owner: userId }) ' +
          '(each device gets its own id; listSessions() and revokeAllSessions() manage them).',
      );
    }
    const { owner, label } = options;
    let binding = this.owner;
    if (owner !== undefined) {
      checkOwner(owner, 'regenerate({ owner })');
      if (!this.#idSecret) {
        throw new SessionConfigurationError(
          'regenerate({ owner }) stores the owner as an HMAC under a server secret: set the idSecret option ' +
            '(32 random bytes or more) in @Session() or configureSessions().',
        );
      }
      const key = ownerKeyOf(owner, this.#idSecret);
      // The same owner again (a step-up, a re-log-in while logged in) keeps the epoch its session was bound
      // under: a request in flight while the owner was revoked must not come back under the new epoch. A log-in
      // of another owner, or of a session of nobody, is bound under the owner's epoch, read when it is written.
      binding =
        binding?.key === key && binding.epoch !== undefined
          ? binding
          : { key, epoch: undefined, label: undefined };
    }
    if (label !== undefined) {
      if (!binding)
        throw new SessionError(
          'regenerate({ label }) labels a session that belongs to an owner: pass owner too.',
        );
      binding = { ...binding, label: deviceLabel(label) };
    }
    this.#renew(binding);
  }

  /**
   * The binding `revokeAllSessions(owner, { except })` keeps: this session's, which must be of that owner.
   * Checked before the owner's epoch is raised.
   */
  bindingToKeep(ownerKey: string): OwnerBinding {
    const binding = this.owner;
    if (this.#destroyed || binding?.key !== ownerKey) {
      throw new SessionError(
        'revokeAllSessions(owner, { except }): the session to keep must be a live session of that owner ' +
          "(the current invocation's, after regenerate({ owner })).",
      );
    }
    return binding;
  }

  /**
   * After `revokeAllSessions(owner, { except })` raised the owner's epoch to `epoch`: this session stays signed
   * in, under a new id bound under the new epoch (its old id, which an attacker may hold too, dies with the
   * others), unless another revocation landed since the session was bound (the raise is not the one right after
   * its epoch): then it is revoked too, and ended here (`destroy()`), so that a request racing a "sign out
   * everywhere" cannot keep itself signed in. Returns whether it was kept.
   */
  keepThroughRevocation(binding: OwnerBinding, epoch: number): boolean {
    if (binding.epoch !== undefined && epoch !== binding.epoch + 1) {
      this.destroy();
      return false;
    }
    this.#renew({ ...binding, epoch });
    return true;
  }

  #renew(owner: OwnerBinding | undefined): void {
    const id = owner ? generateOwnedSessionId(owner.key) : generateSessionId();
    // The absolute timeout counts from the chain's first log-in: a regenerate() cannot stretch it.
    const at = this.#chained ? this.#created : Date.now();
    this.#regenerated = { id, key: hashSessionId(id), chain: newSalt(), at, owner };
  }

  /** What `JSON.stringify()` (and so every structured logger) writes for the handle: safe facts only. */
  toJSON(): SessionContextFacts {
    const { expiresAt } = this;
    return {
      session: this.ref,
      isNew: this.#isNew,
      createdAt: this.createdAt.toISOString(),
      expiresAt: expiresAt?.toISOString(),
      isDestroyed: this.#destroyed,
      regenerated: this.#regenerated !== undefined,
    };
  }

  /** What `console.log()` and `util.inspect()` print: the same facts. */
  [INSPECT](depth: number, options: object, inspect: InspectFormat): string {
    return loggedAs('SessionContext', this.toJSON(), depth, options, inspect);
  }
}

/**
 * A device label as it is stored: a string from the app, often made of a client's User-Agent, so cleaned
 * rather than refused (a hostile header must not fail a log-in): NFC, control and format characters and lone
 * surrogates dropped, whitespace collapsed, cut to {@link MAX_LABEL} characters (whole code points).
 */
export function deviceLabel(label: string): string {
  if (typeof label !== 'string') throw new SessionError('regenerate({ label }) needs the label as a string.');
  const clean = label
    .normalize('NFC')
    // Controls, line separators, format characters (bidirectional overrides, zero-width) and lone surrogates:
    // nothing a "your devices" list should show, nor what could spoof the text around it.
    .replace(/[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return [...clean].slice(0, MAX_LABEL).join('');
}
