// FileSessionStore shared by real processes: the hammer script (bundled with esbuild, as a child process runs
// plain node) in two processes on one file, and the locks of processes alive and gone. An integration spec:
// it builds and starts processes (jest.config.js keeps *.processes.spec.ts out of the unit project).
import { build } from 'esbuild';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FileSessionStore, SessionStoreUnavailableError } from '../../src';
import {
  acknowledged,
  type HammerPlan,
  type HammerReport,
  liveKeys,
  lostWrites,
  readSessionFile,
} from '../support/file-store-hammer';
import { lockText } from '../support/other-writers';

const folder = mkdtempSync(join(tmpdir(), 'lambda-sessions-processes-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

// Generous bounds, never asserted: on a loaded machine a writer may wait long for its turn.
const patient = { lockTimeoutMs: 60_000, staleLockMs: 60_000 };
const plan = (prefix: string): HammerPlan => ({ prefix, creates: 100, updates: 100, lanes: 4 });
const leftovers = (name: string) => readdirSync(folder).filter((f) => f.startsWith(name) && f !== name);

const bundle = join(folder, 'file-store-hammer.bundle.js');
beforeAll(async () => {
  await build({
    entryPoints: [join(__dirname, '..', 'support', 'file-store-hammer.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'silent',
  });
});

/** One writer process: the hammer's plan on the file at `path`, and what it acknowledged. */
const writerProcess = (plan: HammerPlan & { path: string }): Promise<HammerReport> =>
  promisify(execFile)(process.execPath, [bundle, JSON.stringify(plan)], { maxBuffer: 64 << 20 }).then(
    ({ stdout }) => JSON.parse(stdout) as HammerReport,
  );

describe('FileSessionStore shared by processes', () => {
  it('keeps every acknowledged write of two processes hammering one file', async () => {
    const path = join(folder, 'two-processes.json');
    const reports = await Promise.all(
      ['a', 'b'].map((prefix) => writerProcess({ ...plan(prefix), path, ...patient })),
    );
    expect({ lost: lostWrites(readSessionFile(path), reports), of: acknowledged(reports) }).toEqual({
      lost: 0,
      of: acknowledged(reports),
    });
    expect(reports.map((r) => r.errors)).toEqual([[], []]);
    expect(Object.keys(readSessionFile(path)).sort()).toEqual(liveKeys(reports));
    expect(leftovers('two-processes.json')).toEqual([]);
  }, 300_000);

  it('breaks a lock left by a process that died, also when two processes find it at once', async () => {
    const path = join(folder, 'dead-owner.json');
    const lockPath = `${path}.lock`;
    writeFileSync(lockPath, lockText(await deadPid(), Date.now()));
    const reports = await Promise.all(
      ['a', 'b'].map((prefix) =>
        writerProcess({ ...plan(prefix), creates: 20, updates: 20, path, ...patient }),
      ),
    );
    expect(lostWrites(readSessionFile(path), reports)).toBe(0);
    expect(reports.map((r) => r.errors)).toEqual([[], []]);
    expect(leftovers('dead-owner.json')).toEqual([]);
  }, 300_000);

  it('fails with an error naming the lock file while a live process holds it too long, then recovers', async () => {
    const path = join(folder, 'live-owner.json');
    const lockPath = `${path}.lock`;
    const owner = await liveProcess();
    writeFileSync(lockPath, lockText(owner.pid!, Date.now()));
    const store = new FileSessionStore({ path, lockTimeoutMs: 100 });

    const error: unknown = await store.save(session(), undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionStoreUnavailableError);
    expect((error as Error).message).toContain(lockPath);
    expect((error as Error).message).toContain(`pid ${owner.pid}`);
    expect(existsSync(path)).toBe(false);

    await stopProcess(owner);
    await store.save(session(), undefined);
    expect(Object.keys(readSessionFile(path))).toEqual(['k']);
    expect(existsSync(lockPath)).toBe(false);
  }, 60_000);
});

const session = () => ({ key: 'k', data: '1', createdAt: 1, updatedAt: 1, version: 1, expiresAt: undefined });

/** Processes started by a test and not stopped yet: stopped after it, whatever it did. */
const running = new Set<ChildProcess>();
afterEach(() => Promise.all([...running].map(stopProcess)));

/** A process that runs until stopped. */
function liveProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  running.add(child);
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve(child));
    child.once('error', reject);
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  running.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill();
  });
}

/** The pid of a process that ran and exited. */
async function deadPid(): Promise<number> {
  const child = await liveProcess();
  await stopProcess(child);
  return child.pid!;
}
