/**
 * Many writes to one session file, from one process: `hammer()` runs them on the given stores (two objects on
 * one path, in the spec's own process), and run as a script it is one of several processes on one file:
 *
 *   node file-store-hammer.js '{"path": "...", "prefix": "a", "creates": 100, "updates": 100, "lanes": 4}'
 *
 * printing its report as JSON. Each writer keeps what each acknowledged write left, key by key, so that
 * `lostWrites()` can count what the file no longer holds. file-store.processes.spec.ts bundles this file with
 * esbuild, since a child process runs plain node.
 */
import { readFileSync } from 'node:fs';
import { FileSessionStore, type FileSessionStoreOptions } from '../../src/stores/file-store';
import { type SessionStore, type StoredSession } from '../../src/stores/session-store';

/** What one writer does: keys of its own only (`prefix-lane-n`), so that every write it makes should succeed. */
export interface HammerPlan {
  /** Makes this writer's keys its own. */
  readonly prefix: string;
  /** Sessions created, spread over the lanes. */
  readonly creates: number;
  /** Version-checked replaces of those sessions, round robin; then a touch of every third, a delete of every fifth. */
  readonly updates: number;
  /** Chains of writes that run at once, each on the next store. */
  readonly lanes: number;
}

/** What the store acknowledged: the state each key was left in by its last acknowledged write. */
export interface HammerReport {
  /** Writes that resolved. */
  acknowledged: number;
  /** Writes that rejected, with the first few messages. */
  failed: number;
  errors: string[];
  /** Key → its version and expiry after its last acknowledged write, or `null` once deleted. */
  expected: Record<string, { version: number; expiresAt: number } | null>;
}

const session = (key: string, version: number, expiresAt: number): StoredSession => ({
  key,
  data: JSON.stringify({ key, version }),
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_000_000 + version,
  version,
  expiresAt,
});

export async function hammer(stores: readonly SessionStore[], plan: HammerPlan): Promise<HammerReport> {
  const report: HammerReport = { acknowledged: 0, failed: 0, errors: [], expected: {} };
  const attempt = async (write: () => Promise<unknown>, acknowledged: () => void): Promise<void> => {
    try {
      await write();
      report.acknowledged++;
      acknowledged();
    } catch (error) {
      report.failed++;
      if (report.errors.length < 5) report.errors.push(String(error));
    }
  };
  const lane = async (index: number) => {
    const store = stores[index % stores.length]!;
    const count = (total: number) => Math.floor(total / plan.lanes) + (index < total % plan.lanes ? 1 : 0);
    const keys = Array.from({ length: count(plan.creates) }, (_, n) => `${plan.prefix}-${index}-${n}`);
    const state = new Map<string, { version: number; expiresAt: number }>();
    for (const key of keys) {
      await attempt(
        () => store.save(session(key, 1, 1_700_000_600_000), undefined),
        () => state.set(key, { version: 1, expiresAt: 1_700_000_600_000 }),
      );
    }
    const updates = count(plan.updates);
    for (let n = 0; n < updates && keys.length > 0; n++) {
      const key = keys[n % keys.length]!;
      const current = state.get(key);
      if (current === undefined) continue; // its create failed
      const next = { version: current.version + 1, expiresAt: current.expiresAt };
      await attempt(
        () => store.save(session(key, next.version, next.expiresAt), current.version),
        () => state.set(key, next),
      );
    }
    for (const [n, key] of keys.entries()) {
      const current = state.get(key);
      if (n % 3 === 0 && current !== undefined) {
        const touched = { ...current, expiresAt: 1_800_000_000_000 + n };
        await attempt(
          async () => {
            const change = { ...touched, updatedAt: 1_800_000_000_000, expectedVersion: current.version };
            if (!(await store.touch(key, change))) throw new Error(`touch of ${key} found another version`);
          },
          () => state.set(key, touched),
        );
      }
    }
    for (const [key, value] of state) report.expected[key] = value;
    for (const [n, key] of keys.entries()) {
      if (n % 5 === 0 && state.has(key)) {
        await attempt(
          () => store.delete(key),
          () => (report.expected[key] = null),
        );
      }
    }
  };
  await Promise.all(Array.from({ length: plan.lanes }, (_, index) => lane(index)));
  return report;
}

/**
 * Acknowledged writes whose effect the file does not show: for each key, the versions missing from it, a
 * touch whose expiry is not there, a delete of a key still there.
 */
export function lostWrites(stored: Record<string, StoredSession>, reports: readonly HammerReport[]): number {
  let lost = 0;
  for (const report of reports) {
    for (const [key, expected] of Object.entries(report.expected)) {
      const item = stored[key];
      if (expected === null) {
        if (item !== undefined) lost++;
        continue;
      }
      lost += expected.version - (item?.version ?? 0);
      if (item !== undefined && expected.expiresAt !== item.expiresAt) lost++;
    }
  }
  return lost;
}

/** The keys the writers left alive: created, and not deleted by an acknowledged delete. */
export function liveKeys(reports: readonly HammerReport[]): string[] {
  return reports.flatMap((r) => Object.keys(r.expected).filter((key) => r.expected[key] !== null)).sort();
}

/** The sessions of a session file, as they are on disk. */
export const readSessionFile = (path: string) =>
  JSON.parse(readFileSync(path, 'utf8')) as Record<string, StoredSession>;

/** Acknowledged writes in all: what `lostWrites()` is out of. */
export const acknowledged = (reports: readonly HammerReport[]) =>
  reports.reduce((sum, report) => sum + report.acknowledged, 0);

if (require.main === module) {
  const plan = JSON.parse(process.argv[2] ?? '{}') as HammerPlan & FileSessionStoreOptions;
  hammer([new FileSessionStore(plan)], plan).then(
    (report) => process.stdout.write(JSON.stringify(report)),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
