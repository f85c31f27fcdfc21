// Which id a request claims, and what the response adds to carry it back.
import { type SessionLogger, type SessionOptions } from '../../src';
import { resolveSessionOptions } from '../../src/options';
import { readClaim, responseAdditions } from '../../src/transport/claim';

const ID = 'Q2hhbmdlTWVDaGFuZ2VNZUNoYW5nZU1lQ2hhbmdlTWU'; // 43 characters, as the server issues
const OTHER = 'T3RoZXJPdGhlck90aGVyT3RoZXJPdGhlck90aGVyT3Q';
const options = (own: SessionOptions = {}) => resolveSessionOptions({}, own);
const request = (header?: string, cookie?: string) => ({
  headers: { ...(header === undefined ? {} : { 'session-id': header }), ...(cookie ? { cookie } : {}) },
});

describe('readClaim', () => {
  const withCookie = options({ cookie: { name: 'sid' } });

  it('takes the id from the header or the cookie', () => {
    expect(readClaim(request(ID), withCookie)).toEqual({ id: ID, via: 'header' });
    expect(readClaim(request(undefined, `sid=${OTHER}`), withCookie)).toEqual({ id: OTHER, via: 'cookie' });
  });

  it('takes neither of a header id and a different cookie id, and one of the same id in both', () => {
    expect(readClaim(request(ID, `sid=${OTHER}`), withCookie)).toBeUndefined();
    expect(readClaim(request(ID, `sid=${ID}`), withCookie)).toEqual({ id: ID, via: 'header' });
  });

  it('takes none of two different ids in the cookie, one of the same id twice', () => {
    expect(readClaim(request(undefined, `sid=${ID}; sid=${OTHER}`), withCookie)).toBeUndefined();
    expect(readClaim({ version: '2.0', cookies: [`sid=${ID}`, `sid=${OTHER}`] }, withCookie)).toBeUndefined();
    expect(readClaim(request(undefined, `sid=${ID}; sid=${ID}`), withCookie)).toEqual({
      id: ID,
      via: 'cookie',
    });
  });

  it('takes none of two different ids in the header, in multiValueHeaders or across spellings', () => {
    expect(readClaim({ multiValueHeaders: { 'session-id': [ID, OTHER] } }, options())).toBeUndefined();
    expect(readClaim({ headers: { 'Session-Id': ID, 'session-id': OTHER } }, options())).toBeUndefined();
    expect(
      readClaim({ headers: { 'session-id': ID }, multiValueHeaders: { 'session-id': [ID] } }, options()),
    ).toEqual({
      id: ID,
      via: 'header',
    });
  });

  it('logs how many ids a request carried when it takes none, never the ids', () => {
    const lines: unknown[][] = [];
    const logger: SessionLogger = { debug: (...args) => void lines.push(args), info() {}, warn() {} };
    readClaim(request(ID, `sid=${OTHER}; sid=${ID}`), options({ cookie: { name: 'sid' }, logger }));
    expect(lines).toEqual([
      ['lambda-sessions: several different session ids, none taken', { headers: 1, cookies: 2 }],
    ]);
  });

  it('falls back to the cookie when the header holds no usable id', () => {
    expect(readClaim(request('not an id', `sid=${OTHER}`), withCookie)).toEqual({ id: OTHER, via: 'cookie' });
  });

  it('reads no header with idHeader: false, only the cookie', () => {
    const cookieOnly = options({ idHeader: false, cookie: { name: 'sid' } });
    expect(readClaim(request(ID), cookieOnly)).toBeUndefined();
    expect(readClaim(request(ID, `sid=${OTHER}`), cookieOnly)).toEqual({ id: OTHER, via: 'cookie' });
  });

  it('ignores a malformed id, logging its length only', () => {
    const lines: unknown[][] = [];
    const logger: SessionLogger = { debug: (...args) => void lines.push(args), info() {}, warn() {} };
    const malformed = 'sid-that-is-far-too-short';

    const claim = readClaim(
      request(undefined, `sid=${malformed}`),
      options({ cookie: { name: 'sid' }, logger }),
    );

    expect(claim).toBeUndefined();
    expect(lines).toEqual([['lambda-sessions: malformed session id ignored', { length: malformed.length }]]);
  });
});

describe('responseAdditions', () => {
  const live = { destroyed: false, id: ID, expiresAt: undefined } as const;

  it('sends the id in the header when cookies are off', () => {
    expect(responseAdditions(options(), undefined, live)).toEqual({
      header: { name: 'session-id', value: ID },
    });
  });

  it('sends no header with idHeader: false, only the cookie', () => {
    const additions = responseAdditions(
      options({ idHeader: false, cookie: { name: 'sid' } }),
      { id: ID, via: 'cookie' },
      live,
    );
    expect(additions.header).toBeUndefined();
    expect(additions.setCookie).toMatch(new RegExp(`^sid=${ID};`));
  });

  it('sends nothing for a destroyed session without cookies, and clears the cookie with them', () => {
    expect(responseAdditions(options(), { id: ID, via: 'header' }, { destroyed: true })).toEqual({});
    expect(
      responseAdditions(options({ cookie: { name: 'sid' } }), { id: ID, via: 'cookie' }, { destroyed: true }),
    ).toEqual({ setCookie: 'sid=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax' });
  });
});
