// The hashes that name a session's item, which every deployment must compute alike: with Node's one-shot
// crypto.hash() (Node 20.12 on) and with createHash() where it is missing.
import { hashSessionId, seededChain } from '../src/session-id';

const ID = 'x7IZy8vTHfkAqTd3k3yVhQKMQd5W9dFbqfI0gNvRZ0o';
const SEEDED = `${'a'.repeat(43)}.${'b'.repeat(43)}`;
/** The keys as `createHash('sha256').update(text).digest('base64url')` computed them before. */
const KEYS = {
  [ID]: '2CO_U_YDketV-tJt893cQP29M56-17Q3FyO7DHrQ05E',
  [SEEDED]: 'hmI4OqH2-3H7zHStgsR6uQ0Op4WCzZM46sMdfjbKkck',
};

describe('hashSessionId', () => {
  it("is the base64url SHA-256 of the id (of a seeded id's seed part and dot)", () => {
    expect(hashSessionId(ID)).toBe(KEYS[ID]);
    expect(hashSessionId(SEEDED)).toBe(KEYS[SEEDED]);
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
      expect(isolated.hashSessionId(SEEDED)).toBe(KEYS[SEEDED]);
      expect(isolated.seededChain(SEEDED, 'salt')).toBe(seededChain(SEEDED, 'salt'));
      expect(createHash).toHaveBeenCalledTimes(3);
    });
    jest.dontMock('node:crypto');
  });
});
