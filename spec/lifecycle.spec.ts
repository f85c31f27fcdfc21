// The lifecycle handle as a log shows it: safe facts only, the id by explicit access.
import { inspect } from 'node:util';
import { hashSessionId, sessionRef } from '../src';
import { SessionLifecycle } from '../src/lifecycle';

const ID = 'a'.repeat(43);
const SECRET = Buffer.alloc(32, 7);

describe('the lifecycle handle, logged', () => {
  it('shows the hash prefix, never the id or the secret, and no expiry for a session that never expires', () => {
    const handle = new SessionLifecycle(ID, true, 0, undefined, SECRET, false);

    expect(JSON.parse(JSON.stringify(handle))).toEqual({
      session: sessionRef(hashSessionId(ID)),
      isNew: true,
      createdAt: '1970-01-01T00:00:00.000Z',
      isDestroyed: false,
      regenerated: false,
    });
    expect(Object.keys(handle)).toEqual([]);
    expect(inspect(handle, { showHidden: true, depth: Infinity })).toMatch(/^SessionContext \{\s+session: '/);
    expect(handle.id).toBe(ID);
  });

  it('names the new id by its hash prefix once regenerated, and folds away below the inspected depth', () => {
    const handle = new SessionLifecycle(ID, false, 0, 1_000, SECRET, false);
    handle.regenerate({ owner: 'user-1' });

    expect(handle.toJSON()).toMatchObject({
      session: sessionRef(hashSessionId(handle.id)),
      regenerated: true,
    });
    expect(inspect({ deep: { handle } }, { depth: 0 })).toBe('{ deep: [Object] }');
    expect(inspect({ deep: { handle } }, { depth: 1 })).toBe('{ deep: { handle: [SessionContext] } }');
  });
});
