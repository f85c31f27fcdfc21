import { readCookieValues, resolveCookie, setCookieLine } from '../../src/transport/cookies';
import { eventWithCookie, fixtureNames, loadEvent } from '../support/events';

const ID = 'Q2hhbmdlTWVDaGFuZ2VNZUNoYW5nZU1lQ2hhbmdlTWU';

/** The one value of cookie `name`, or `undefined` when it has none or several. */
const readCookie = (event: unknown, name: string) => {
  const values = readCookieValues(event, name);
  return values.length === 1 ? values[0] : undefined;
};

describe('reading the session cookie', () => {
  it.each(fixtureNames())('finds it in %s beside the cookies already there', (name) => {
    expect(readCookie(eventWithCookie(name, 'sid', ID), 'sid')).toBe(ID);
  });

  it('reads the cookies the real captures carry, in every shape', () => {
    expect(readCookie(loadEvent('apigw-http-v2'), 'regStatus')).toBe('pre-register');
    expect(readCookie(loadEvent('function-url'), 'hello')).toBe('hello');
    expect(readCookie(loadEvent('apigw-rest-v1-multivalue'), 'regStatus')).toBe('pre-register');
    expect(readCookie(loadEvent('alb-multivalue-with-cookie'), 'name1')).toBe('value1');
  });

  it('reads a Function URL cookie from the cookies array, not twice from the header as well', () => {
    const event = loadEvent('function-url');
    event.cookies = ['foo=from-array'];
    expect(readCookie(event, 'foo')).toBe('from-array');
  });

  it('reads the second Cookie header of a multi-value ALB request', () => {
    expect(readCookie(loadEvent('alb-multivalue-with-cookie'), 'name2')).toBe('value2');
  });

  it('survives cookies without `=`, empty pairs and a trailing `;`', () => {
    expect(readCookie(loadEvent('apigw-http-v2-docs-example'), 'cookie1')).toBeUndefined();
    expect(readCookie(loadEvent('alb-with-cookie'), 'cookies')).toBeUndefined();
    expect(readCookie({ headers: { Cookie: ';; sid=abc;; ;' } }, 'sid')).toBe('abc');
  });

  it('gives every value of a name, in one Cookie header or across cookies entries, each once', () => {
    expect(readCookieValues({ headers: { cookie: 'sid=first; sid=second' } }, 'sid')).toEqual([
      'first',
      'second',
    ]);
    const v2 = loadEvent('apigw-http-v2');
    v2.cookies = [...(v2.cookies as string[]), 'sid=first', 'sid=second'];
    expect(readCookieValues(v2, 'sid')).toEqual(['first', 'second']);
    const both = { version: '2.0', cookies: ['sid=first; sid=second', 'sid=third'] };
    expect(readCookieValues(both, 'sid')).toEqual(['first', 'second', 'third']);
    expect(readCookieValues({ headers: { cookie: 'sid=same; a=b; sid=same' } }, 'sid')).toEqual(['same']);
  });
});

describe('the Set-Cookie that gives the client its id', () => {
  const cookie = resolveCookie({ name: 'sid' }, 'spec')!;

  const NOW = 1_800_000_000_000;
  afterEach(() => jest.restoreAllMocks());

  it('lives as long as the session, rounded up to whole seconds, and never less than 0', () => {
    jest.spyOn(Date, 'now').mockReturnValue(NOW);
    expect(setCookieLine(cookie, ID, NOW + 90_001)).toBe(
      `sid=${ID}; Max-Age=91; Path=/; HttpOnly; Secure; SameSite=Lax`,
    );
    expect(setCookieLine(cookie, ID, NOW - 5_000)).toMatch(/; Max-Age=0;/);
  });

  it('is a browser-session cookie (no Max-Age) for a session that never expires', () => {
    expect(setCookieLine(cookie, ID, undefined)).toBe(`sid=${ID}; Path=/; HttpOnly; Secure; SameSite=Lax`);
  });

  it('takes a fixed maxAge over the session lifetime', () => {
    const fixed = resolveCookie({ name: 'sid', maxAge: 60 }, 'spec')!;
    expect(setCookieLine(fixed, ID, undefined)).toMatch(/; Max-Age=60;/);
    expect(setCookieLine(fixed, ID, Date.now() + 3_600_000)).toMatch(/; Max-Age=60;/);
  });
});
