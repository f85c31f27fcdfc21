// The server secret: 32+ random bytes, as a Buffer or their hex, base64 or base64url text; what only looks long
// is refused with how to make one; `lambda-sessions secret` prints a fresh one.
import { randomBytes } from 'node:crypto';
import { configureSessions, SessionConfigurationError } from '../src';
import { type CliIo, runCli } from '../src/cli';
import { secretKey } from '../src/secret';

const check = (secret: string | Uint8Array) => () => secretKey(secret, 'withSession()');
const HOW = /make one with `npx lambda-sessions secret`.*Secrets Manager or SSM/;

describe('idSecret: what is accepted', () => {
  const bytes = randomBytes(32);

  it.each([
    ['a Buffer of 32 random bytes', bytes],
    ['a Uint8Array of 64 random bytes', new Uint8Array(randomBytes(64))],
    ['their hex', bytes.toString('hex')],
    ['their hex in capitals', bytes.toString('hex').toUpperCase()],
    ['their base64', bytes.toString('base64')],
    ['their base64 without padding', bytes.toString('base64').replace(/=+$/, '')],
    ['their base64url', bytes.toString('base64url')],
  ])('%s', (_label, secret) => {
    expect(check(secret)).not.toThrow();
  });

  it("keeps the value as given as the HMAC key (a string's text), so that derived ids do not change", () => {
    const text = bytes.toString('base64url');
    expect(secretKey(text, 'x')).toEqual(Buffer.from(text, 'utf8'));
    expect(secretKey(bytes, 'x')).toBe(bytes);
  });

  it('accepts 1,000 fresh secrets in a row: the tests never refuse random bytes', () => {
    for (let i = 0; i < 1000; i++) {
      expect(check(randomBytes(32))).not.toThrow();
      expect(check(randomBytes(32).toString('base64url'))).not.toThrow();
    }
  });
});

describe('idSecret: what is refused, saying how to make one', () => {
  it.each([
    [
      'too short, as text',
      randomBytes(31).toString('base64url'),
      /must encode at least 32 random bytes \(64 hex or 43 base64 characters\), got 31 bytes in 42 characters/,
    ],
    ['too short, as bytes', randomBytes(31), /must be at least 32 random bytes, got 31/],
    ["'a' × 32: hex (digits only) of 16 bytes", 'a'.repeat(32), /got 16 bytes in 32 characters/],
    ["'a' × 64: hex of one byte value", 'a'.repeat(64), /does not look random: one byte value repeated/],
    ['zeros', Buffer.alloc(32), /one byte value repeated/],
    ['a short pattern, hex', 'deadbeef'.repeat(8), /a block of 4 bytes repeated/],
    [
      'a run 0, 1, 2, ...',
      Uint8Array.from({ length: 32 }, (_, i) => i),
      /follow a run \(only 1 different steps/,
    ],
    ['a random block doubled', randomBytes(20).toString('hex').repeat(2), /a block of 20 bytes repeated/],
    [
      'a passphrase, as bytes: too few different values',
      Buffer.from('correct horse battery staple, twice over'),
      /40 bytes with only 17 different values \(random bytes have about 37\)/,
    ],
    [
      'a generated password, as base64 of its text',
      Buffer.from('x7#Qp!2zL@9vR$4mN&8kT*1wB^6yH%3cF(5jD)0s').toString('base64'),
      /every byte is printable text, as in a password or phrase/,
    ],
    [
      'a passphrase, as text',
      'correct-horse-battery-staple-twice-over!',
      /must be random bytes written as hex, base64 or base64url, not a passphrase/,
    ],
    [
      'base64 and base64url mixed',
      `${randomBytes(32).toString('base64url').slice(0, 40)}+/-_`,
      /not a passphrase or other text/,
    ],
    [
      'a length base64 cannot have',
      `${randomBytes(32).toString('base64url')}abcde`.slice(0, 45),
      /not a passphrase or other text/,
    ],
    [
      'a trailing newline',
      `${randomBytes(32).toString('base64url')}\n`,
      /contains white space \(a newline read from a file\?\): remove it/,
    ],
    ['not a string or bytes', 42 as unknown as string, /must be a string or a Buffer/],
    // The text is the key: written in base64's characters, a phrase decodes to bytes that look random.
    [
      'a phrase in base64 characters, hyphenated',
      'my-secret-key-for-sessions-in-production-env',
      /its text reads as words, a passphrase/,
    ],
    [
      'a phrase in base64 characters, camel case',
      'ThisIsMyVerySecretSessionKeyForProductionUse2024',
      /its text reads as words, a passphrase/,
    ],
    [
      'a phrase of few letters',
      'correcthorsebatterystaplecorrecthorsebatterystaple',
      /its text uses only 12 different characters/,
    ],
    [
      'the base64 alphabet in order',
      'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
      /its characters follow a run/,
    ],
  ])('%s', (_label, secret, message) => {
    expect(check(secret)).toThrow(SessionConfigurationError);
    expect(check(secret)).toThrow(message);
    expect(check(secret)).toThrow(HOW);
    expect(check(secret)).toThrow(/^withSession\(\): idSecret /);
  });

  it('is refused where it is given: configureSessions()', () => {
    expect(() => configureSessions({ idSecret: 'k'.repeat(32) })).toThrow(/^configureSessions\(\): idSecret/);
  });
});

describe('lambda-sessions secret', () => {
  function io(): CliIo & { printed: string[]; errors: string[] } {
    const printed: string[] = [];
    const errors: string[] = [];
    return {
      printed,
      errors,
      out: (line) => void printed.push(line),
      err: (line) => void errors.push(line),
      ask: undefined,
      env: {},
      createClient: () => {
        throw new Error('secret needs no DynamoDB client');
      },
    };
  }

  it('prints only a fresh secret, base64url of 32 bytes, that idSecret accepts; without a table', async () => {
    const first = io();
    const second = io();
    expect(await runCli(['secret'], first)).toBe(0);
    expect(await runCli(['secret'], second)).toBe(0);

    expect(first.printed).toHaveLength(1);
    expect(first.printed[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(first.printed[0]!, 'base64url')).toHaveLength(32);
    expect(second.printed[0]).not.toBe(first.printed[0]);
    expect(first.errors).toEqual([]);
    expect(check(first.printed[0]!)).not.toThrow();
  });

  it('is listed in --help', async () => {
    const help = io();
    await runCli(['--help'], help);
    expect(help.printed.join('\n')).toMatch(/secret +print a fresh idSecret/);
  });
});
