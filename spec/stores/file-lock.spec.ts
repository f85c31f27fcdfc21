// The lock under the file store, with its file system calls watched: the interleavings of writers that break
// one stale lock at once are forced here, not left to the scheduler.
import fsPromises from 'node:fs/promises'; // the module object itself, whose functions the lock calls
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withFileLock } from '../../src/stores/file-lock';
import { lockText, vanishedPid } from '../support/other-writers';

const folder = mkdtempSync(join(tmpdir(), 'lambda-sessions-lock-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
afterEach(() => jest.restoreAllMocks());

/** Resolves once `condition` holds, looking again on each turn of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('withFileLock', () => {
  it('lets no writer remove the lock another took after breaking the stale lock they all saw', async () => {
    // Arrange: a lock left by a dead process, which four writers find at once. The first removal of it is
    // held back until all four have read it, and right after it another process takes the lock.
    const lockPath = join(folder, 'race.json.lock');
    writeFileSync(lockPath, lockText(vanishedPid(), Date.now()));
    const othersLock = lockText(process.pid, Date.now());
    const { open, unlink } = fsPromises;
    let reads = 0;
    let readsOfOthersLock = 0;
    let taken = false;
    jest.spyOn(fsPromises, 'open').mockImplementation(((path: string, flags?: string, mode?: number) => {
      if (path === lockPath && flags === 'r') {
        reads++;
        if (taken) readsOfOthersLock++;
      }
      return open(path, flags, mode);
    }) as typeof fsPromises.open);
    let removals = Promise.resolve();
    jest.spyOn(fsPromises, 'unlink').mockImplementation((path) => {
      if (path !== lockPath || taken) return unlink(path);
      // One removal at a time, so that a second one comes after the other process took the lock.
      const removal = removals.then(async () => {
        await until(() => reads >= 4);
        // Synchronous, so that no writer of this process comes in between: the other process wins the lock.
        unlinkSync(path);
        if (!taken) writeFileSync(lockPath, othersLock, { flag: 'wx' });
        taken = true;
      });
      removals = removal.catch(() => undefined);
      return removal;
    });

    // Act: four writers, each counting who else holds the lock while it does.
    let holders = 0;
    let overlaps = 0;
    const work = async () => {
      if (++holders > 1) overlaps++;
      await new Promise((resolve) => setTimeout(resolve, 1));
      holders--;
    };
    const writers = Array.from({ length: 4 }, () =>
      withFileLock(lockPath, 'race.json', { timeoutMs: 60_000, staleMs: 60_000 }, work),
    );
    let finished = false;
    const all = Promise.all(writers).finally(() => (finished = true));
    // Every writer has seen the other process's lock, more than once (or, wrongly, they all got through).
    await until(() => readsOfOthersLock >= 8 || finished);

    // Assert: the other process's lock is still its own; once it lets go, the four take turns.
    expect(existsSync(lockPath) && readFileSync(lockPath, 'utf8')).toBe(othersLock);
    await unlink(lockPath);
    await all;
    expect(overlaps).toBe(0);
  }, 60_000);

  it('releases the lock when the work fails, and hands the failure on', async () => {
    const lockPath = join(folder, 'failing.json.lock');
    const failure = new Error('the work failed');
    await expect(
      withFileLock(lockPath, 'failing.json', { timeoutMs: 1000, staleMs: 1000 }, () =>
        Promise.reject(failure),
      ),
    ).rejects.toBe(failure);
    await expect(fsPromises.stat(lockPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
