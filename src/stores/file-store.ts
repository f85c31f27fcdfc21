import { randomBytes } from 'node:crypto';
import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { SessionConfigurationError, SessionCorruptError } from '../errors';
import {
  checkDeleteCondition,
  checkWriteCondition,
  type DeleteCondition,
  type SessionStore,
  type StoredSession,
  type TouchChange,
} from './session-store';

/** Where the file store keeps its sessions. */
export interface FileSessionStoreOptions {
  /** The JSON file. It is created on the first write; its folder must exist. */
  path: string;
}

/**
 * Sessions in one local JSON file, as `session-lambda`'s local store: for development and tests on one
 * machine, not for Lambda (an execution environment's disk is neither shared nor durable).
 *
 * Each write replaces the file atomically (a temporary file in the same folder, then `rename`), so a crash
 * never leaves half a file. Operations of one store object run one at a time; two processes writing one file
 * is not supported.
 */
export class FileSessionStore implements SessionStore {
  /** The file, as an absolute path. */
  readonly path: string;
  /** Operations in order: each read-modify-write sees the previous one's result. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: FileSessionStoreOptions) {
    if (typeof options?.path !== 'string' || options.path.length === 0) {
      throw new SessionConfigurationError(
        'FileSessionStore needs a path: new FileSessionStore({ path: ".sessions.json" }).',
      );
    }
    this.path = resolve(options.path);
  }

  load(key: string): Promise<StoredSession | undefined> {
    return this.serially(async () => {
      const item = (await this.read())[key];
      return item && { ...item };
    });
  }

  save(session: StoredSession, expectedVersion: number | undefined): Promise<void> {
    return this.serially(async () => {
      const items = await this.read();
      if (checkWriteCondition(items[session.key], session, expectedVersion) === 'applied') return;
      items[session.key] = { ...session };
      await this.write(items);
    });
  }

  touch(key: string, { expiresAt, updatedAt, expectedVersion }: TouchChange): Promise<boolean> {
    return this.serially(async () => {
      const items = await this.read();
      const current = items[key];
      if (current?.version !== expectedVersion) return false;
      items[key] = { ...current, expiresAt, updatedAt };
      await this.write(items);
      return true;
    });
  }

  delete(key: string, condition?: DeleteCondition): Promise<'deleted' | 'absent'> {
    return this.serially(async () => {
      const items = await this.read();
      if (checkDeleteCondition(items[key], key, condition) === 'absent') return 'absent';
      delete items[key];
      await this.write(items);
      return 'deleted';
    });
  }

  private serially<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation, operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** The file's sessions; an absent file is an empty store, a damaged one an error that names it. */
  private async read(): Promise<Record<string, StoredSession>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        await this.checkFolder();
        return Object.create(null) as Record<string, StoredSession>;
      }
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new SessionCorruptError(`Session file ${this.path} is not valid JSON: fix or delete it.`, {
        cause: error,
      });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new SessionCorruptError(
        `Session file ${this.path} does not hold an object of sessions: fix or delete it.`,
      );
    }
    // Null prototype: a stored key named "__proto__" stays a key.
    const items = Object.assign(Object.create(null) as Record<string, StoredSession>, parsed);
    for (const [key, item] of Object.entries(items)) {
      // A file written before 0.2 holds expiries in epoch seconds; the contract is epoch ms.
      if (typeof item.expiresAt === 'number' && item.expiresAt < item.createdAt) {
        items[key] = { ...item, expiresAt: item.expiresAt * 1000 };
      }
    }
    return items;
  }

  private async write(items: Record<string, StoredSession>): Promise<void> {
    const temporary = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, JSON.stringify(items), { mode: 0o600 });
      await rename(temporary, this.path);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
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
