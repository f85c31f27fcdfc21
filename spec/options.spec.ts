// Options: every rule refuses what cannot work, with the option's name; defaults fill in once.
import { MemorySessionStore, SESSION_DEFAULTS, SessionConfigurationError, type SessionOptions } from '../src';
import { parseSessionOptions, resolveSessionOptions } from '../src/options';
import { randomBytes } from 'node:crypto';

const parse = (options: SessionOptions) => () => parseSessionOptions(options, 'withSession()');

describe('parseSessionOptions', () => {
  it.each<[string, SessionOptions, RegExp]>([
    ['ttl', { ttl: -1 }, /^withSession\(\): ttl must be a whole number of seconds, 0 or more, got -1\.$/],
    ['absoluteTimeout', { absoluteTimeout: 1.5 }, /absoluteTimeout must be a whole number of seconds/],
    ['touchAfter', { touchAfter: NaN }, /touchAfter must be a whole number of seconds/],
    ['conflictRetries', { conflictRetries: -2 }, /conflictRetries must be a whole number, 0 or more/],
    ['update', { update: 'yes' as unknown as boolean }, /update must be true or false, got yes/],
    ['acceptClientId', { acceptClientId: 1 as unknown as boolean }, /acceptClientId must be true or false/],
    [
      'saveUninitialized',
      { saveUninitialized: 'no' as unknown as boolean },
      /saveUninitialized must be true or false, got no/,
    ],
    [
      'validateOnLoad',
      { validateOnLoad: 'no' as unknown as boolean },
      /validateOnLoad must be true, false or 'always'/,
    ],
    ['onConflict', { onConflict: 'merge' as 'retry' }, /onConflict must be 'throw' or 'retry', got merge/],
    ['onInvalidStored', { onInvalidStored: 'drop' as 'reset' }, /onInvalidStored must be 'throw' or 'reset'/],
    ['storeTimeoutMs', { storeTimeoutMs: 0 }, /storeTimeoutMs must be a number of milliseconds above 0/],
    ['version', { version: 0 }, /version must be a whole number, 1 or more, got 0/],
    [
      'maxSessionBytes',
      { maxSessionBytes: 0 },
      /maxSessionBytes must be a whole number of bytes, 1 or more, got 0/,
    ],
    [
      'maxSessionBytes',
      { maxSessionBytes: 1.5 },
      /maxSessionBytes must be a whole number of bytes, 1 or more, got 1.5/,
    ],
    ['migrate', { migrate: 'v2' as unknown as () => unknown }, /migrate must be a function/],
    ['validation', { validation: true as unknown as false }, /validation must be class-validator/],
    [
      'validation target',
      { validation: { validationError: { target: true } } },
      /validation\.validationError: a SessionValidationError never carries the session \(target\) nor its values/,
    ],
    [
      'validation value',
      { validation: { validationError: { target: false, value: true } } },
      /validation\.validationError: .*leave validationError out/,
    ],
    ['idHeader', { idHeader: 'session id' }, /idHeader must be an HTTP header name/],
    ['idSecret', { idSecret: 'short' }, /^withSession\(\): idSecret must be random bytes written as hex/],
    [
      'idSecret',
      { idSecret: 'x'.repeat(32) },
      /^withSession\(\): idSecret must encode at least 32 random bytes/,
    ],
    ['logger', { logger: { debug() {} } as never }, /logger must have debug, info and warn methods/],
    ['store', { store: { load() {} } as never }, /store must implement SessionStore/],
    ['idHeader and cookie', { idHeader: false, cookie: false }, /no id can travel/],
  ])('refuses a bad %s, naming it', (_name, options, message) => {
    expect(parse(options)).toThrow(SessionConfigurationError);
    expect(parse(options)).toThrow(message);
  });

  it.each<[string, SessionOptions['cookie'], RegExp]>([
    ['a name that is no token', { name: 'a b' }, /cookie name must be a token/],
    ['an unknown sameSite', { sameSite: 'loose' as 'lax' }, /sameSite must be 'lax', 'strict' or 'none'/],
    ['sameSite none without secure', { sameSite: 'none', secure: false }, /sameSite: none requires secure/],
    ['__Host- without secure', { name: '__Host-s', secure: false }, /__Host- prefix/],
    ['__Host- with a domain', { name: '__Host-s', domain: 'example.com' }, /__Host- prefix/],
    ['__Host- with a path', { name: '__Host-s', path: '/app' }, /__Host- prefix/],
    ['__Secure- without secure', { name: '__Secure-s', secure: false }, /__Secure- prefix/],
    ['a fractional maxAge', { maxAge: 1.5 }, /maxAge must be a whole number/],
    ['a path with a ;', { path: '/a;b' }, /path must start with \//],
    ['a domain that is no host', { domain: 'exa mple' }, /is not a host name/],
    [
      'something that is not options',
      'yes' as unknown as true,
      /cookie must be true, false or cookie options/,
    ],
  ])('refuses a cookie with %s', (_name, cookie, message) => {
    expect(parse({ cookie })).toThrow(message);
  });

  it.each<[string, SessionOptions]>([
    ['every timeout off', { ttl: 0, absoluteTimeout: 0, touchAfter: 0 }],
    ['validation off', { validation: false }],
    ['validator options', { validation: { whitelist: true, forbidNonWhitelisted: true } }],
    ['console as the logger', { logger: console }],
    ['a store', { store: new MemorySessionStore() }],
    ['a schema version with its migration', { version: 2, migrate: (data) => data }],
    ['cookie-only', { idHeader: false, cookie: true }],
    ['a header name of its own', { idHeader: 'x-session' }],
    ['retries', { onConflict: 'retry', conflictRetries: 0 }],
    ['null for unset', { idHeader: null, version: null } as unknown as SessionOptions],
  ])('accepts %s', (_name, options) => {
    expect(parse(options)).not.toThrow();
  });

  it('accepts good options and returns them as given', () => {
    const options: SessionOptions = {
      ttl: 0,
      cookie: { name: '__Host-s' },
      idSecret: randomBytes(32).toString('hex'),
    };
    expect(parseSessionOptions(options, 'withSession()')).toEqual(options);
  });
});

describe('resolveSessionOptions', () => {
  it('fills in every default', () => {
    const resolved = resolveSessionOptions({}, {});
    for (const [key, value] of Object.entries(SESSION_DEFAULTS)) {
      if (key !== 'cookie') expect(resolved[key as keyof typeof resolved]).toEqual(value);
    }
    expect(resolved.cookie).toBeUndefined();
    expect(resolved.touchAfter).toBe(SESSION_DEFAULTS.ttl / 10);
  });

  it('takes the handler’s value over the configured one, and the configured one over the default', () => {
    const resolved = resolveSessionOptions({ ttl: 60, update: true }, { ttl: 30 });
    expect([resolved.ttl, resolved.update, resolved.touchAfter]).toEqual([30, true, 3]);
  });

  it('saves uninitialized sessions by default with the header alone, not with cookies, unless told', () => {
    expect(resolveSessionOptions({}, {}).saveUninitialized).toBe(true);
    expect(resolveSessionOptions({ cookie: true }, {}).saveUninitialized).toBe(false);
    expect(resolveSessionOptions({}, { cookie: true }).saveUninitialized).toBe(false);
    expect(resolveSessionOptions({ saveUninitialized: false }, {}).saveUninitialized).toBe(false);
    expect(resolveSessionOptions({ cookie: true, saveUninitialized: true }, {}).saveUninitialized).toBe(true);
    expect(
      resolveSessionOptions({ saveUninitialized: false }, { saveUninitialized: true }).saveUninitialized,
    ).toBe(true);
  });

  it('refuses a combination in which no id can travel', () => {
    expect(() => resolveSessionOptions({ idHeader: false }, {})).toThrow(/no id can travel/);
    expect(resolveSessionOptions({ idHeader: false }, { cookie: true }).cookie?.name).toBe('session-id');
  });

  it('takes a secret given as bytes as those bytes, and refuses fewer than 32', () => {
    const bytes = new Uint8Array(randomBytes(32));
    expect([...resolveSessionOptions({}, { idSecret: bytes }).idSecret!]).toEqual([...bytes]);
    expect(parse({ idSecret: bytes.subarray(1) })).toThrow(/idSecret must be at least 32 random bytes/);
  });

  it('holds the secret as bytes: a string as its text', () => {
    const secret = randomBytes(32).toString('base64url');
    expect(resolveSessionOptions({ idSecret: secret }, {}).idSecret).toEqual(Buffer.from(secret));
  });
});

describe('resolving the cookie', () => {
  const cookieOf = (global: SessionOptions['cookie'], own: SessionOptions['cookie']) =>
    resolveSessionOptions({ cookie: global }, { cookie: own }).cookie;

  it('takes the configured settings for cookie: true', () => {
    expect(cookieOf({ name: '__Host-session', sameSite: 'strict' }, true)).toMatchObject({
      name: '__Host-session',
      sameSite: 'strict',
      httpOnly: true,
    });
  });

  it('merges a handler’s object field by field over the configured one', () => {
    expect(cookieOf({ name: '__Host-session', sameSite: 'strict' }, { maxAge: 60 })).toMatchObject({
      name: '__Host-session',
      sameSite: 'strict',
      maxAge: 60,
    });
    expect(cookieOf({ name: '__Host-session' }, { name: 'sid', path: '/app' })).toMatchObject({
      name: 'sid',
      path: '/app',
    });
  });

  it('ignores fields a handler leaves undefined', () => {
    expect(cookieOf({ name: '__Host-session' }, { name: undefined })?.name).toBe('__Host-session');
  });

  it('turns cookies off for a handler’s cookie: false, and on with the defaults when none are configured', () => {
    expect(cookieOf({ name: '__Host-session' }, false)).toBeUndefined();
    expect(cookieOf(undefined, true)?.name).toBe('session-id');
    expect(cookieOf(false, true)?.name).toBe('session-id');
    expect(cookieOf(undefined, undefined)).toBeUndefined();
    expect(cookieOf({ name: '__Host-session' }, undefined)?.name).toBe('__Host-session');
  });

  it('names the handler when its cookie cannot merge with the configured one', () => {
    expect(() =>
      resolveSessionOptions({ cookie: { name: '__Host-s' } }, { cookie: { path: '/api' } }, 'withSession()'),
    ).toThrow(/^withSession\(\) \(its cookie merged over configureSessions\(\)'s\): cookie name __Host-s/);
  });

  it('checks the merged settings against the browser rules', () => {
    expect(() => cookieOf({ name: '__Host-session' }, { domain: 'example.com' })).toThrow(/__Host- prefix/);
  });
});
