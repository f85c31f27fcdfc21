import { randomBytes } from 'node:crypto';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { SessionConfigurationError, SessionCorruptError } from '../errors';
import { type HeldLock, withFileLock } from './file-lock';
import {
  checkDeleteCondition,
  checkWriteCondition,
  type DeleteCondition,
  ownedSummary,
  type OwnerIndex,
  type SessionStore,
  type StoreCallOptions,
  type StoredSession,
  type TouchChange,
} from './session-store';

/** Where the file store keeps its sessions, and how its writers share the file. */
export interface FileSessionStoreOptions {
  /** The JSON file. It is created on the first write; its folder must exist. */
  path: string;
  /**
   * How long a write waits for the file's lock while another process or store object writes, in
   * milliseconds, before it fails with `SessionStoreUnavailableError`. Below the engine's `storeTimeoutMs`
   * (3000 by default), so that the error says what holds the file. @default 2000
   */
  lockTimeoutMs?: number;
  /**
   * A lock older than this many milliseconds is taken for abandoned and broken, even if the process that took
   * it still runs (a write holds it for a few milliseconds). A lock whose process is gone is broken at once.
   * @default 10000
   */
  staleLockMs?: number;
}

/** The defaults of {@link FileSessionStoreOptions}. */
const FILE_STORE_DEFAULTS = { lockTimeoutMs: 2000, staleLockMs: 10_000 } as const;

type Items = Record<string, StoredSession>;

/** What a change under the lock decided: its result, and whether the file must be written. */
interface Change<T> {
  readonly result: T;
  readonly changed: boolean;
}

/**
 * Sessions in one local JSON file, as `session-lambda`'s local store: for development and tests on one
 * machine, not for Lambda (an execution environment's disk is neither shared nor durable).
 *
 * Several processes, and several store objects of one process, may share the file. Each write (save, touch,
 * delete) holds an exclusive lock, `<path>.lock`, reads the file under it, writes a temporary file in the same
 * folder, `fsync`s it and `rename`s it over the file, then `fsync`s the folder where the platform allows: an
 * acknowledged write is in the file, and a crash never leaves half a file. A lock left by a process that died
 * is broken (see `staleLockMs`); one held by a live writer is waited for up to `lockTimeoutMs`. Reads take no
 * lock: `rename` replaces the file atomically, so a read sees one whole version of it.
 */
export class FileSessionStore implements SessionStore {
  /** The file, as an absolute path. */
  readonly path: string;
  /** The lock file of every writer of {@link FileSessionStore.path}. */
  readonly lockPath: string;
  private readonly lockTimeoutMs: number;
  private readonly staleLockMs: number;
  /** This object's operations in order: each read-modify-write sees the previous one's result. */
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * The owners' epochs and index, for sessions that belong to a user. An owner's epoch is an entry of the same
   * file, under `owner.<owner key>` (no session key has a dot), so that it is read with the session at once.
   */
  readonly owners: OwnerIndex = {
    loadOwned: (key, ownerKey) =>
      this.serially(async () => {
        const items = await this.read();
        const item = items[key];
        return { session: item && { ...item }, epoch: epochIn(items, ownerKey) };
      }),
    epoch: (ownerKey) => this.serially(async () => epochIn(await this.read(), ownerKey)),
    revokeAll: (ownerKey, options) =>
      this.modify(options, (items) => {
        const epoch = epochIn(items, ownerKey) + 1;
        (items as Record<string, unknown>)[`${EPOCH_PREFIX}${ownerKey}`] = { epoch };
        return { result: epoch, changed: true };
      }),
    list: (ownerKey) =>
      this.serially(async () =>
        Object.values(await this.read())
          .filter((item) => item.owner === ownerKey)
          .map(ownedSummary),
      ),
  };

  constructor(options: FileSessionStoreOptions) {
    if (typeof options?.path !== 'string' || options.path.length === 0) {
      throw new SessionConfigurationError(
        'FileSessionStore needs a path: new FileSessionStore({ path: ".sessions.json" }).',
      );
    }
    const lockTimeoutMs = options.lockTimeoutMs ?? FILE_STORE_DEFAULTS.lockTimeoutMs;
    const staleLockMs = options.staleLockMs ?? FILE_STORE_DEFAULTS.staleLockMs;
    if (
      !(Number.isFinite(lockTimeoutMs) && lockTimeoutMs >= 0) ||
      !(Number.isFinite(staleLockMs) && staleLockMs > 0)
    ) {
      throw new SessionConfigurationError(
        `FileSessionStore: lockTimeoutMs must be 0 or more and staleLockMs more than 0, in milliseconds (got ` +
          `${String(lockTimeoutMs)} and ${String(staleLockMs)}).`,
      );
    }
    this.path = resolve(options.path);
    this.lockPath = `${this.path}.lock`;
    this.lockTimeoutMs = lockTimeoutMs;
    this.staleLockMs = staleLockMs;
  }

  load(key: string, _options?: StoreCallOptions): Promise<StoredSession | undefined> {
    // No file lock: writers replace the file by `rename`, which is atomic, so a read sees one whole version.
    return this.serially(async () => {
      const item = (await this.read())[key];
      return item && { ...item };
    });
  }

  save(
    session: StoredSession,
    expectedVersion: number | undefined,
    options?: StoreCallOptions,
  ): Promise<void> {
    return this.modify(options, (items) => {
      // 'applied': this very write was applied before and built upon; it succeeds, writing nothing.
      if (checkWriteCondition(items[session.key], session, expectedVersion) === 'applied') {
        return { result: undefined, changed: false };
      }
      items[session.key] = { ...session };
      return { result: undefined, changed: true };
    });
  }

  touch(key: string, change: TouchChange, options?: StoreCallOptions): Promise<boolean> {
    return this.modify(options, (items) => {
      const current = items[key];
      if (current?.version !== change.expectedVersion) return { result: false, changed: false };
      items[key] = { ...current, expiresAt: change.expiresAt, updatedAt: change.updatedAt };
      return { result: true, changed: true };
    });
  }

  delete(
    key: string,
    condition?: DeleteCondition,
    options?: StoreCallOptions,
  ): Promise<'deleted' | 'absent'> {
    return this.modify(options, (items) => {
      if (checkDeleteCondition(items[key], key, condition) === 'absent') {
        return { result: 'absent' as const, changed: false };
      }
      delete items[key];
      return { result: 'deleted' as const, changed: true };
    });
  }

  /**
   * One read-modify-write, under the file's lock: the file is read again once the lock is held, so a write of
   * another process or object since this one's last read is never overwritten.
   */
  private modify<T>(options: StoreCallOptions | undefined, change: (items: Items) => Change<T>): Promise<T> {
    const signal = options?.signal;
    return this.serially(async () => {
      signal?.throwIfAborted(); // the engine stopped waiting while this call queued: start nothing
      return withFileLock(
        this.lockPath,
        this.path,
        { timeoutMs: this.lockTimeoutMs, staleMs: this.staleLockMs, signal },
        async (lock) => {
          const items = await this.read();
          const { result, changed } = change(items);
          if (changed) await this.write(items, lock, signal);
          return result;
        },
      ).catch(async (error: unknown) => {
        // The lock file cannot be created where the folder is missing: say so, as a read does.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') await this.checkFolder();
        throw error;
      });
    });
  }

  private serially<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation, operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** The file's sessions; an absent file is an empty store, a damaged one an error that names it. */
  private async read(): Promise<Items> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        await this.checkFolder();
        return Object.create(null) as Items;
      }
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // No cause: JSON.parse's message quotes the text around the fault, which may be another session's data.
      throw new SessionCorruptError(`Session file ${this.path} is not valid JSON: fix or delete it.`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new SessionCorruptError(
        `Session file ${this.path} does not hold an object of sessions: fix or delete it.`,
      );
    }
    // Null prototype: a stored key named "__proto__" stays a key.
    const items = Object.assign(Object.create(null) as Items, parsed);
    for (const [key, item] of Object.entries(items)) {
      // A file written before 0.2 holds expiries in epoch seconds; the contract is epoch ms.
      if (typeof item.expiresAt === 'number' && item.expiresAt < item.createdAt) {
        items[key] = { ...item, expiresAt: item.expiresAt * 1000 };
      }
    }
    return items;
  }

  /**
   * Replaces the file with `items`: a temporary file, synced, renamed over the file, and the folder synced so
   * that the rename survives a crash too. Nothing is committed once `signal` is aborted or the lock was lost.
   */
  private async write(items: Items, lock: HeldLock, signal: AbortSignal | undefined): Promise<void> {
    const temporary = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const handle = await open(temporary, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(items));
        await handle.sync();
      } finally {
        await handle.close();
      }
      signal?.throwIfAborted();
      await lock.assertHeld();
      await rename(temporary, this.path);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
    await syncFolder(dirname(this.path));
  }

  private async checkFolder(): Promise<void> {
    const folder = dirname(this.path);
    const info = await stat(folder).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw new SessionConfigurationError(
        `The folder of session file ${this.path} does not exist: create ${folder} or change the path.`,
      );
    }
  }
}

/** Where an owner's epoch is kept in the file: beside the sessions, under a key no session key can be. */
const EPOCH_PREFIX = 'owner.';

function epochIn(items: Items, ownerKey: string): number {
  const entry = (items as Record<string, { epoch?: unknown } | undefined>)[`${EPOCH_PREFIX}${ownerKey}`];
  return typeof entry?.epoch === 'number' ? entry.epoch : 0;
}

/** What `open` or `fsync` of a folder fails with where the platform or file system does not allow it. */
const FOLDER_SYNC_UNSUPPORTED = new Set(['EINVAL', 'ENOTSUP', 'EISDIR', 'EPERM', 'EACCES']);

/**
 * `fsync` of a folder, which makes a `rename` in it durable. Windows cannot open a folder for it, and some
 * file systems refuse it (EINVAL): there the rename is as durable as the platform makes it.
 */
async function syncFolder(folder: string): Promise<void> {
  if (process.platform === 'win32') return;
  let handle;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch (error) {
    if (!FOLDER_SYNC_UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}
