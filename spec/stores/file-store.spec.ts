import { inspect } from 'node:util';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  configureSessions,
  FileSessionStore,
  getSessionData,
  SessionConfigurationError,
  SessionCorruptError,
  SessionStoreUnavailableError,
  setSessionData,
  withSession,
} from '../../src';
import { hammer, liveKeys, lostWrites, readSessionFile } from '../support/file-store-hammer';
import { lockText, vanishedPid } from '../support/other-writers';

const folder = mkdtempSync(join(tmpdir(), 'lambda-sessions-file-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const stored = (key = 'k') => ({
  key,
  data: '1',
  createdAt: 1,
  updatedAt: 1,
  version: 1,
  expiresAt: undefined,
});

describe('FileSessionStore', () => {
  it('creates the file on the first write, leaving no temporary file behind', async () => {
    const path = join(folder, 'new.json');
    await new FileSessionStore({ path }).save(stored(), undefined);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ k: stored() });
    expect(readdirSync(folder).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('says which file is damaged instead of treating it as empty', async () => {
    const path = join(folder, 'corrupt.json');
    writeFileSync(path, '{"k": {"key": "k", ');
    await expect(new FileSessionStore({ path }).load('k')).rejects.toThrow(SessionCorruptError);
    await expect(new FileSessionStore({ path }).load('k')).rejects.toThrow(path);
    writeFileSync(path, '[1, 2]');
    await expect(new FileSessionStore({ path }).load('k')).rejects.toThrow(/does not hold an object/);
  });

  it("quotes none of a damaged file's text in the error or its cause (JSON.parse's message would)", async () => {
    const path = join(folder, 'damaged.json');
    writeFileSync(path, '{"k": {"data": tok_SECRET_123}}');
    const error = await new FileSessionStore({ path }).load('k').then(
      () => undefined,
      (thrown: unknown) => thrown as Error,
    );
    expect(error).toBeInstanceOf(SessionCorruptError);
    expect(error!.cause).toBeUndefined();
    expect(inspect(error, { depth: Infinity })).not.toContain('tok_SECRET');
  });

  it('says which folder is missing', async () => {
    const path = join(folder, 'no-such-folder', 'sessions.json');
    await expect(new FileSessionStore({ path }).load('k')).rejects.toThrow(SessionConfigurationError);
    await expect(new FileSessionStore({ path }).save(stored(), undefined)).rejects.toThrow(
      /create .*no-such-folder/,
    );
  });

  it("runs session-lambda's local counter across store objects, as separate local runs would", async () => {
    const path = join(folder, 'counter.json');
    const handler = () =>
      withSession(
        async (_event: unknown) => {
          setSessionData((getSessionData<number>() ?? 0) + 1);
          return { statusCode: 200, headers: {} as Record<string, string>, body: String(getSessionData()) };
        },
        { update: true },
      );
    configureSessions({ store: new FileSessionStore({ path }) });
    const id = (await handler()({})).headers['session-id']!;
    configureSessions({ store: new FileSessionStore({ path }) });
    expect((await handler()({ headers: { 'session-id': id } })).body).toBe('2');
  });
});

// Two processes on one file: file-store.processes.spec.ts.
describe('FileSessionStore with several writers on one file, in one process', () => {
  // Generous bounds, never asserted: on a loaded machine a writer may wait long for its turn.
  const patient = { lockTimeoutMs: 60_000, staleLockMs: 60_000 };
  const leftovers = (name: string) => readdirSync(folder).filter((f) => f.startsWith(name) && f !== name);

  it('keeps every acknowledged write of two store objects on one file', async () => {
    const path = join(folder, 'two-objects.json');
    const stores = [new FileSessionStore({ path, ...patient }), new FileSessionStore({ path, ...patient })];
    const report = await hammer(stores, { prefix: 'one', creates: 100, updates: 100, lanes: 8 });
    expect({ lost: lostWrites(readSessionFile(path), [report]), of: report.acknowledged }).toEqual({
      lost: 0,
      of: report.acknowledged,
    });
    expect(report.errors).toEqual([]);
    expect(Object.keys(readSessionFile(path)).sort()).toEqual(liveKeys([report]));
    expect(leftovers('two-objects.json')).toEqual([]);
  }, 300_000);

  it('lets one of many writers break a dead lock, and none remove the lock of the writer that did', async () => {
    const path = join(folder, 'dead-owner-objects.json');
    const lockPath = `${path}.lock`;
    const stores = Array.from({ length: 4 }, () => new FileSessionStore({ path, ...patient }));
    for (let round = 0; round < 5; round++) {
      writeFileSync(lockPath, lockText(vanishedPid(), Date.now()));
      const keys = stores.flatMap((_, i) => [`r${round}-${i}-a`, `r${round}-${i}-b`]);
      await Promise.all(keys.map((key, i) => stores[i % stores.length]!.save(stored(key), undefined)));
    }
    expect(Object.keys(readSessionFile(path)).length).toBe(5 * 8);
    expect(leftovers('dead-owner-objects.json')).toEqual([]);
  }, 300_000);

  it('fails with an error naming the lock file while a live writer holds it too long, then recovers', async () => {
    const path = join(folder, 'live-owner.json');
    const lockPath = `${path}.lock`;
    writeFileSync(lockPath, lockText(process.pid, Date.now())); // another store object of this process
    const store = new FileSessionStore({ path, lockTimeoutMs: 100 });

    const error: unknown = await store.save(stored(), undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionStoreUnavailableError);
    expect((error as Error).message).toContain(lockPath);
    expect((error as Error).message).toContain(`pid ${process.pid}`);
    expect((error as Error).message).toMatch(/delete .*\.lock/);
    expect(existsSync(path)).toBe(false);

    writeFileSync(lockPath, lockText(vanishedPid(), Date.now())); // its writer died
    await store.save(stored(), undefined);
    expect(Object.keys(readSessionFile(path))).toEqual(['k']);
    expect(existsSync(lockPath)).toBe(false);
  });

  it('breaks a lock older than staleLockMs even when its owner lives, and one that never got its owner written', async () => {
    const path = join(folder, 'old-lock.json');
    const lockPath = `${path}.lock`;
    const store = new FileSessionStore({ path, lockTimeoutMs: 60_000, staleLockMs: 30_000 });
    writeFileSync(lockPath, lockText(process.pid, Date.now() - 60_000));
    await store.save(stored('old'), undefined);

    writeFileSync(lockPath, ''); // a writer that died between creating the lock and writing its owner
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(lockPath, longAgo, longAgo);
    await store.save(stored('empty'), undefined);
    expect(Object.keys(readSessionFile(path)).sort()).toEqual(['empty', 'old']);
    expect(existsSync(lockPath)).toBe(false);
  });

  it('waits for a lock that has no owner written yet rather than breaking it', async () => {
    const path = join(folder, 'fresh-empty-lock.json');
    writeFileSync(`${path}.lock`, '');
    await expect(new FileSessionStore({ path, lockTimeoutMs: 50 }).save(stored(), undefined)).rejects.toThrow(
      SessionStoreUnavailableError,
    );
    expect(existsSync(path)).toBe(false);
  });

  it('stops waiting for the lock, and writes nothing, once the engine aborts the call', async () => {
    const path = join(folder, 'aborted.json');
    writeFileSync(`${path}.lock`, lockText(process.pid, Date.now()));
    const controller = new AbortController();
    const reason = new SessionStoreUnavailableError('time budget spent');
    const pending = new FileSessionStore({ path, lockTimeoutMs: 60_000 }).save(stored(), undefined, {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(reason), 20); // while it waits for the lock
    await expect(pending).rejects.toBe(reason);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses lock bounds that cannot work', () => {
    expect(() => new FileSessionStore({ path: 'x.json', lockTimeoutMs: -1 })).toThrow(
      SessionConfigurationError,
    );
    expect(() => new FileSessionStore({ path: 'x.json', staleLockMs: 0 })).toThrow(/staleLockMs/);
    expect(() => new FileSessionStore({ path: 'x.json', lockTimeoutMs: Number.NaN })).toThrow(
      /lockTimeoutMs/,
    );
  });
});
