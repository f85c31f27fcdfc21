/**
 * An exclusive lock between processes (and between objects of one process) on one file, for the file store's
 * read-modify-writes. Node has no `flock`, so the lock is a file: `<file>.lock`, created with
 * `open(..., 'wx')` (which fails if it exists, atomically, on every local file system), holding its owner's
 * pid, host, time and a random token.
 */
import { randomBytes } from 'node:crypto';
import { open, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { SessionStoreUnavailableError } from '../errors';

/** How {@link withFileLock} waits for the lock, and when it takes a lock for abandoned. */
export interface FileLockOptions {
  /** How long to wait for a lock held by someone else before failing, in milliseconds. */
  readonly timeoutMs: number;
  /** A lock older than this is broken even when its owner seems alive, in milliseconds. */
  readonly staleMs: number;
  /** Stops the wait when aborted (the engine's time budget for the call is spent). */
  readonly signal?: AbortSignal | undefined;
}

/** The lock while it is held. */
export interface HeldLock {
  /** The lock file. */
  readonly path: string;
  /**
   * Throws unless the lock file is still this lock's: call it just before committing. It fails only if
   * someone broke the lock as stale, which takes holding it past `staleMs`.
   */
  assertHeld(): Promise<void>;
}

/** What a lock file holds. */
interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  /** Epoch milliseconds. */
  readonly acquiredAt: number;
  readonly token: string;
}

/** A lock file as read: its text, and the owner when the text parses (an owner still writing it has none yet). */
interface SeenLock {
  readonly text: string;
  readonly owner: LockOwner | undefined;
  readonly modifiedAt: number;
}

/** The longest pause between two tries for a held lock, in milliseconds. */
const MAX_BACKOFF_MS = 50;

/**
 * Runs `work` holding the lock `lockPath`, and releases it afterwards, whatever `work` did. A lock whose owner
 * process is gone (same host, `process.kill(pid, 0)` says ESRCH) or that is older than `staleMs` is broken;
 * one held by a live owner is waited for with jittered backoff, up to `timeoutMs`, then a
 * `SessionStoreUnavailableError` names the lock file and its owner.
 * @param what the file the lock guards, for the messages
 */
export async function withFileLock<T>(
  lockPath: string,
  what: string,
  options: FileLockOptions,
  work: (lock: HeldLock) => Promise<T>,
): Promise<T> {
  const token = await acquire(lockPath, what, options);
  const lock: HeldLock = {
    path: lockPath,
    assertHeld: async () => {
      if ((await inspect(lockPath))?.owner?.token === token) return;
      throw new SessionStoreUnavailableError(
        `The lock ${lockPath} on session file ${what} was broken as stale while this write held it (it took ` +
          `longer than staleLockMs, ${options.staleMs} ms); nothing was written. Retry the request, or raise ` +
          'staleLockMs if writes are this slow.',
      );
    },
  };
  try {
    return await work(lock);
  } finally {
    await release(lockPath, token);
  }
}

async function acquire(lockPath: string, what: string, options: FileLockOptions): Promise<string> {
  const token = randomBytes(12).toString('base64url');
  const deadline = Date.now() + options.timeoutMs;
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    const owner: LockOwner = { pid: process.pid, hostname: hostname(), acquiredAt: Date.now(), token };
    if (await create(lockPath, owner)) return token;
    const seen = await inspect(lockPath);
    if (seen === undefined) continue; // released in between: try again at once
    if (staleness(seen, options.staleMs) !== undefined && (await breakStale(lockPath, options.staleMs))) {
      continue;
    }
    const left = deadline - Date.now();
    if (left <= 0) throw lockTimeout(lockPath, what, seen, options);
    // Full jitter: two writers that collided once do not collide again in step.
    const pause = Math.random() * Math.min(MAX_BACKOFF_MS, 2 ** attempt);
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.min(left, pause))));
  }
}

/** Creates the lock file with its owner in it; `false` when it exists already. */
async function create(path: string, owner: LockOwner): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(JSON.stringify(owner));
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return true;
}

/** The lock file as it is now; `undefined` when there is none. Text and time are of one file (one handle). */
async function inspect(path: string): Promise<SeenLock | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const [text, info] = await Promise.all([handle.readFile('utf8'), handle.stat()]);
    return { text, owner: parseOwner(text), modifiedAt: info.mtimeMs };
  } finally {
    await handle.close();
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner> | null;
    if (
      typeof value?.pid === 'number' &&
      Number.isSafeInteger(value.pid) &&
      value.pid > 0 &&
      typeof value.hostname === 'string' &&
      typeof value.acquiredAt === 'number' &&
      typeof value.token === 'string'
    ) {
      return value as LockOwner;
    }
  } catch {
    // An owner between creating the file and writing its text, or a file that is no lock of ours: judged by age.
  }
  return undefined;
}

/** Why the lock is taken for abandoned, or `undefined` while it is not. */
function staleness(seen: SeenLock, staleMs: number): string | undefined {
  const { owner } = seen;
  if (owner && owner.hostname === hostname() && !isRunning(owner.pid)) {
    return `its owner, pid ${owner.pid}, is no longer running`;
  }
  // A pid is only meaningful on its own host, and can be reused: age is the bound in every case.
  const age = Date.now() - (owner?.acquiredAt ?? seen.modifiedAt);
  return age > staleMs ? `it is ${Math.round(age)} ms old` : undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes an abandoned lock, safely against others doing the same at once: each breaker first takes a second
 * lock, `<lock>.break`, then reads the lock again and removes it only if it is still abandoned. Without that,
 * two processes that saw the same stale lock could both remove "it", the second one removing the first one's
 * fresh lock. Returns `false` when another process is breaking it (the caller waits as for a held lock).
 */
async function breakStale(lockPath: string, staleMs: number): Promise<boolean> {
  const breaker = `${lockPath}.break`;
  const me: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    acquiredAt: Date.now(),
    token: randomBytes(12).toString('base64url'),
  };
  if (!(await create(breaker, me))) {
    // A breaker that died between these few calls leaves its file: it is abandoned by the same rules.
    const other = await inspect(breaker);
    if (other !== undefined && staleness(other, staleMs) !== undefined) await removeIfPresent(breaker);
    return false;
  }
  try {
    const now = await inspect(lockPath);
    if (now !== undefined && staleness(now, staleMs) !== undefined) await removeIfPresent(lockPath);
    return true;
  } finally {
    await removeIfPresent(breaker);
  }
}

/** Removes the lock if it is still this one's (a lock broken as stale may be someone else's by now). */
async function release(lockPath: string, token: string): Promise<void> {
  const seen = await inspect(lockPath).catch(() => undefined);
  if (seen?.owner?.token === token) await removeIfPresent(lockPath);
}

async function removeIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function lockTimeout(
  lockPath: string,
  what: string,
  seen: SeenLock,
  options: FileLockOptions,
): SessionStoreUnavailableError {
  const { owner } = seen;
  const holder = owner
    ? `pid ${owner.pid} on ${owner.hostname}, since ${new Date(owner.acquiredAt).toISOString()}`
    : 'a writer that has not said who it is';
  return new SessionStoreUnavailableError(
    `Session file ${what} stayed locked for ${options.timeoutMs} ms (lockTimeoutMs) by ${lockPath}, held by ` +
      `${holder}; nothing was written. Another process or store object is writing the file: if none is, ` +
      `delete ${lockPath}; if writes are slow, raise lockTimeoutMs. A lock older than staleLockMs ` +
      `(${options.staleMs} ms) is broken by itself.`,
  );
}
