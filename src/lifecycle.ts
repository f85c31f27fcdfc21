/** A session's lifecycle within one invocation: its id and age, `destroy()` and `regenerate()`. */
import { SessionConfigurationError, SessionError } from './errors';
import { type SessionContext } from './decorators/session-context';
import {
  deriveSessionId,
  generateSessionId,
  hashSessionId,
  newSalt,
  rechainSessionId,
  seededChain,
  sessionRef,
} from './session-id';
import { INSPECT, type InspectFormat, loggedAs } from './logged-form';

/** What the engine needs to know after the handler: which lifecycle calls were made. */
export interface LifecycleState {
  readonly destroyed: boolean;
  /**
   * Set by `regenerate()`: the new id, its key, whether it was derived from a seed, what its item keeps of its
   * chain (see `StoredSession.chain`), and when its log-in chain started (`at`): now, or the start of the chain
   * the session was in already.
   */
  readonly regenerated:
    | {
        readonly id: string;
        readonly key: string;
        readonly seeded: boolean;
        readonly chain: string;
        readonly at: number;
      }
    | undefined;
}

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
  ) {
    this.#originalId = originalId;
    this.#isNew = isNew;
    this.#created = created;
    this.#expires = expires;
    this.#idSecret = idSecret;
    this.#chained = chained;
  }

  get id(): string {
    return this.#regenerated?.id ?? this.#originalId;
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

  regenerate(options: { seed?: string } = {}): void {
    if (this.#destroyed)
      throw new SessionError('regenerate() after destroy(): a destroyed session has no id to renew.');
    const { seed } = options;
    const secret = this.#idSecret;
    if (seed !== undefined && !secret) {
      throw new SessionConfigurationError(
        'regenerate({ seed }) derives the id with an HMAC under a server secret: set the idSecret option ' +
          '(32 bytes or more) in @Session() or configureSessions().',
      );
    }
    if (seed !== undefined && (typeof seed !== 'string' || seed.length === 0)) {
      throw new SessionError('regenerate({ seed }) needs a non-empty string seed, such as the user id.');
    }
    // A fresh chain salt for each new id; only a seeded one is derived from it (an unseeded one is random).
    const salt = newSalt();
    const id = seed === undefined ? generateSessionId() : deriveSessionId(seed, salt, secret!);
    const chain = seed === undefined ? salt : seededChain(id, salt);
    // The absolute timeout counts from the chain's first log-in: a regenerate() cannot stretch it.
    const at = this.#chained ? this.#created : Date.now();
    this.#regenerated = { id, key: hashSessionId(id), seeded: seed !== undefined, chain, at };
  }

  /**
   * The seeded id joins the user's live session (another device's): its chain, so its id, and its start. Called
   * by the write path, which read that session.
   */
  joinChain(chain: string, startedAt: number): void {
    const regenerated = this.#regenerated!;
    this.#regenerated = {
      ...regenerated,
      id: rechainSessionId(regenerated.id, chain, this.#idSecret!),
      chain,
      at: startedAt,
    };
  }

  /** What `JSON.stringify()` (and so every structured logger) writes for the handle: safe facts only. */
  toJSON(): SessionContextFacts {
    const { expiresAt } = this;
    return {
      session: sessionRef(this.#regenerated?.key ?? hashSessionId(this.#originalId)),
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
