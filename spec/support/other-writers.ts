// What other writers of a session file leave behind: their lock files, of processes alive or gone.
import { hostname } from 'node:os';

/** A lock file as another writer leaves it. */
export function lockText(pid: number, acquiredAt: number): string {
  return JSON.stringify({ pid, hostname: hostname(), acquiredAt, token: `other-${pid}-${acquiredAt}` });
}

/**
 * A pid that no process has, as the pid of a writer that died: the first free one above 4194304, Linux's
 * largest pid_max (macOS and Windows stay lower still). Unit specs start no process to get one.
 */
export function vanishedPid(): number {
  for (let pid = 4_194_305; ; pid++) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return pid;
    }
  }
}
