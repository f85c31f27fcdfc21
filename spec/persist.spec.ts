// The write path's rules that any store shows, on the memory store: what is deleted on log-out and log-in, and
// what the engine says of a store that breaks the contract's units.
import { IsString } from 'class-validator';
import {
  configureSessions,
  FileSessionStore,
  hashSessionId,
  MemorySessionStore,
  SessionConfigurationError,
  type StoredSession,
  withSession,
  getSessionContext,
} from '../src';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

class Profile {
  @IsString() name = 'anonymous';
}

const ID = 'A'.repeat(43); // the shape of a server-issued id
const event = (id: string) => ({ headers: { 'session-id': id } });
const item = (overrides: Partial<StoredSession> = {}): StoredSession => ({
  key: hashSessionId(ID),
  data: JSON.stringify({ name: 42 }), // fails Profile's @IsString()
  createdAt: Date.now() - 1_000,
  updatedAt: Date.now() - 1_000,
  version: 3,
  expiresAt: Date.now() + 60_000,
  ...overrides,
});

describe('regenerate() after a reset', () => {
  it('deletes the item that failed validation, as it deletes a live session’s', async () => {
    // Arrange: an item that fails validation, read with onInvalidStored: 'reset'.
    const store = new MemorySessionStore();
    configureSessions({ store });
    await store.save(item(), undefined);
    const logIn = withSession(
      async () => {
        getSessionContext().regenerate();
        return { statusCode: 204, headers: {} as Record<string, string> };
      },
      { type: Profile, onInvalidStored: 'reset' },
    );

    // Act
    const response = await logIn(event(ID));

    // Assert: the new id holds the session, the old key holds nothing.
    const newId = response.headers['session-id']!;
    expect(newId).not.toBe(ID);
    expect(await store.load(hashSessionId(newId))).toBeDefined();
    expect(await store.load(hashSessionId(ID))).toBeUndefined();
    expect(store.size).toBe(1);
  });
});

describe('a store that gives expiresAt in epoch seconds (the contract before 0.2)', () => {
  it('is refused with what to change, instead of every session looking expired', async () => {
    const store = new MemorySessionStore();
    configureSessions({ store });
    const seconds = Math.ceil((Date.now() + 60_000) / 1000);
    await store.save(item({ data: '{"name":"ada"}', expiresAt: seconds }), undefined);
    const view = withSession(async () => ({ statusCode: 200, headers: {} }), { type: Profile });

    await expect(view(event(ID))).rejects.toThrow(SessionConfigurationError);
    await expect(view(event(ID))).rejects.toThrow(
      /epoch seconds; the SessionStore contract is epoch milliseconds/,
    );
  });

  it('is read from an old session file by the file store, converted', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'lambda-sessions-old-file-'));
    try {
      const path = join(folder, 'sessions.json');
      const old = item({ data: '{"name":"ada"}', expiresAt: Math.ceil((Date.now() + 60_000) / 1000) });
      writeFileSync(path, JSON.stringify({ [old.key]: old }));
      configureSessions({ store: new FileSessionStore({ path }) });
      const view = withSession(async () => ({ statusCode: 200, headers: {} }), { type: Profile });

      const response = await view(event(ID));

      expect((response.headers as Record<string, string>)['session-id']).toBe(ID); // the same session, alive
      expect((await new FileSessionStore({ path }).load(old.key))?.expiresAt).toBe(old.expiresAt! * 1000);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
