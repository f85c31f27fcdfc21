// The hashes that name a session's item, which every deployment must compute alike: with Node's one-shot
// crypto.hash() (Node 20.12 on) and with createHash() where it is missing.
import { hashSessionId } from '../src/session-id';

const ID = 'x7IZy8vTHfkAqTd3k3yVhQKMQd5W9dFbqfI0gNvRZ0o';
const OWNED = `${'a'.repeat(43)}.${'b'.repeat(43)}`;
/** The keys as `createHash('sha256').update(text).digest('base64url')` computed them before. */
const KEYS = {
  [ID]: '2CO_U_YDketV-tJt893cQP29M56-17Q3FyO7DHrQ05E',
  [OWNED]: 'F4ZOylOHA7jboNlYeJhoqKdTrkcCsaow4qLC01Zj82g',
};

describe('hashSessionId', () => {
  it('is the base64url SHA-256 of the whole id, an owned one too', () => {
    expect(hashSessionId(ID)).toBe(KEYS[ID]);
    expect(hashSessionId(OWNED)).toBe(KEYS[OWNED]);
  });

  it('is the same without crypto.hash (Node before 20.12), through createHash', () => {
    jest.isolateModules(() => {
      jest.doMock('node:crypto', () => ({ ...jest.requireActual('node:crypto'), hash: undefined }));
      const createHash = jest.spyOn(
        jest.requireMock<typeof import('node:crypto')>('node:crypto'),
        'createHash',
      );
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const isolated = require('../src/session-id') as typeof import('../src/session-id');

      expect(isolated.hashSessionId(ID)).toBe(KEYS[ID]);
      expect(isolated.hashSessionId(OWNED)).toBe(KEYS[OWNED]);
      expect(createHash).toHaveBeenCalledTimes(2);
    });
    jest.dontMock('node:crypto');
  });
});
