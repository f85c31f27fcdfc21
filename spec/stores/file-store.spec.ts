import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  configureSessions,
  FileSessionStore,
  getSessionData,
  SessionConfigurationError,
  SessionCorruptError,
  setSessionData,
  withSession,
} from '../../src';

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
