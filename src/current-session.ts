import { AsyncLocalStorage } from 'node:async_hooks';
import { SessionError, SessionNewerSchemaError } from './errors';
import { type SessionContext } from './decorators/session-context';
import { processState } from './process-state';

/** The session of one invocation while its handler runs. */
export interface LiveSession {
  /** The session data; the handler may change it in place or replace it. */
  data: unknown;
  /** The lifecycle handle `@SessionContext()` and `getSessionContext()` give. */
  readonly lifecycle: SessionContext;
}

/**
 * The live session of data a later deployment wrote, which this code cannot read: its lifecycle works
 * (`destroy()` logs out), but reading or replacing its data throws a {@link SessionNewerSchemaError}, so that
 * nothing this code computes can be written over it. A `@SessionData()` parameter reads it before the method
 * runs, so such a method never runs.
 */
export function newerSession(
  lifecycle: SessionContext,
  ref: string,
  storedVersion: number,
  readsVersion: number,
): LiveSession {
  const refuse = () => new SessionNewerSchemaError(ref, storedVersion, readsVersion);
  return {
    get data(): unknown {
      throw refuse();
    },
    set data(_value: unknown) {
      throw refuse();
    },
    lifecycle,
  };
}

/**
 * One scope per invocation: concurrent invocations in one process (tests, local servers, Lambda's own
 * multi-concurrency runtimes) each see their own session. One storage per process, so that `getSessionData()`
 * from either build sees a session opened by the other (see process-state.ts).
 */
export const sessionScope = /* @__PURE__ */ processState(
  'session-scope.v1',
  () => new AsyncLocalStorage<LiveSession>(),
);

function current(caller: string): LiveSession {
  const session = sessionScope.getStore();
  if (!session) {
    throw new SessionError(
      `${caller} was called outside a session: call it while a handler wrapped by withSession() runs, or a ` +
        'method decorated with @Session({ ambient: true }); without ambient: true, a @Session() method gets ' +
        'its session injected with @SessionData() and @SessionContext() instead. Behind the middy middleware, ' +
        'read context.session.data and context.session.lifecycle (a middleware cannot wrap the handler in a scope).',
    );
  }
  return session;
}

/**
 * The current invocation's session data: for session-lambda-style handlers that hold a plain value. `T` is
 * not checked; give `withSession()` a `type` to get a validated class instance.
 *
 * Works inside `withSession()` handlers and `@Session({ ambient: true })` methods. Behind the middy middleware it throws: middy runs
 * the handler between two hooks, so no middleware can wrap it in an `AsyncLocalStorage` scope that holds on
 * every Node.js version (`enterWith()` from a hook does not reach the handler once Node's AsyncContextFrame is
 * on, as it is by default from Node 24); the middleware's handler has the session on `context.session`.
 */
export function getSessionData<T = unknown>(): T {
  return current('getSessionData()').data as T;
}

/** Replaces the current invocation's session data; it is written under the same rules as a changed object. */
export function setSessionData(value: unknown): void {
  current('setSessionData()').data = value;
}

/** The current invocation's session lifecycle: its id, age, `destroy()` and `regenerate()`. */
export function getSessionContext(): SessionContext {
  return current('getSessionContext()').lifecycle;
}
