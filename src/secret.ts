/**
 * The server secret (`idSecret`): what is accepted as one, and how a fresh one is made. A secret is 32 or more
 * random bytes; a string is the hex, base64 or base64url text of them. What is only long (`'a' × 32`, a
 * passphrase, a pattern) is refused, with how to make a real one.
 */
import { randomBytes } from 'node:crypto';
import { SessionConfigurationError } from './errors';

/** Smallest server secret accepted: 256 bits, the HMAC-SHA-256 key size. */
export const MIN_SECRET_BYTES = 32;

/** How to make a secret, for messages and the CLI. */
const HOW_TO_MAKE =
  "make one with `npx lambda-sessions secret` (or crypto.randomBytes(32).toString('base64url')) and keep it in " +
  'Secrets Manager or SSM Parameter Store';

/** A fresh server secret: 32 bytes from the OS CSPRNG, as base64url (43 characters). */
export function generateSecret(): string {
  return randomBytes(MIN_SECRET_BYTES).toString('base64url');
}

/**
 * The HMAC key of a secret option, once it is checked: a `Uint8Array`'s bytes, or a string's UTF-8 text as
 * given. A string is decoded only to check the random bytes it encodes; its text stays the key, so that ids
 * derived before the check existed are the same. Throws a `SessionConfigurationError` naming what is wrong.
 * @param where who was given the option, for the message
 */
export function secretKey(secret: string | Uint8Array, where: string): Uint8Array {
  const bytes = typeof secret === 'string' ? decodeSecret(secret, where) : secret;
  if (!(bytes instanceof Uint8Array)) {
    refuse(where, 'must be a string or a Buffer (Uint8Array) of random bytes');
  }
  if (bytes.length < MIN_SECRET_BYTES) {
    refuse(
      where,
      typeof secret === 'string'
        ? `must encode at least ${MIN_SECRET_BYTES} random bytes (64 hex or 43 base64 characters), got ` +
            `${bytes.length} bytes in ${secret.length} characters`
        : `must be at least ${MIN_SECRET_BYTES} random bytes, got ${bytes.length}`,
    );
  }
  // A string's text is the key, so the text must be random too: decoded English looks random as bytes.
  const weakness = notRandom(bytes) ?? (typeof secret === 'string' ? notRandomText(secret) : undefined);
  if (weakness) refuse(where, `does not look random: ${weakness}`);
  return typeof secret === 'string' ? Buffer.from(secret, 'utf8') : bytes;
}

/** Only hex digits: hex. */
const HEX = /^(?:[0-9a-fA-F]{2})+$/;
/** base64 (`+/`) or base64url (`-_`), not the two alphabets mixed, padded or not. */
const BASE64 = /^(?:[A-Za-z0-9+/]+|[A-Za-z0-9_-]+)={0,2}$/;

/**
 * The bytes a secret string encodes. A text of hex digits only (an even number) is hex: it is base64 too, but
 * base64 of random bytes is made of hex digits only with a chance of 4^-43 for 32 bytes, so the rule never
 * misreads a real secret. Any other text must be base64 or base64url.
 */
function decodeSecret(secret: string, where: string): Uint8Array {
  if (HEX.test(secret)) return Buffer.from(secret, 'hex');
  if (BASE64.test(secret) && secret.replace(/=+$/, '').length % 4 !== 1) {
    return Buffer.from(secret, 'base64'); // Node's base64 decoder reads base64url too
  }
  refuse(
    where,
    /\s/.test(secret)
      ? 'contains white space (a newline read from a file?): remove it'
      : 'must be random bytes written as hex, base64 or base64url, not a passphrase or other text',
  );
}

/**
 * Why `bytes` are obviously not random, or `undefined`. Four tests, each failed by random bytes with a chance
 * far below 2^-40 for 32 bytes (and less for more), so they refuse only what a person chose or patterned:
 * - a block repeated (`0000...`, `abcabc...`, a key doubled to the length asked for);
 * - too few different values: fewer than half of what as many random bytes have on average (30 of 32);
 * - the same for the steps from one byte to the next (catches 0, 1, 2, ... and other runs);
 * - text: every byte printable ASCII (a password or a phrase, as bytes or encoded).
 */
function notRandom(bytes: Uint8Array): string | undefined {
  const period = repeatedBlock(bytes);
  if (period !== undefined) {
    return period === 1 ? 'one byte value repeated' : `a block of ${period} bytes repeated`;
  }
  const n = bytes.length;
  const { distinct, steps, enough } = spread([...bytes], 256);
  if (distinct < enough) {
    return `${n} bytes with only ${distinct} different values (random bytes have about ${Math.round(2 * enough)})`;
  }
  if (steps < enough) return `the bytes follow a run (only ${steps} different steps between neighbours)`;
  if (bytes.every((b) => b >= 0x20 && b <= 0x7e))
    return 'every byte is printable text, as in a password or phrase';
  return undefined;
}

/**
 * How varied symbols of an alphabet of `size` are: their different values, the different steps from one to the
 * next (modulo `size`), and half of the different values as many random symbols have on average, the least
 * either count may be.
 */
function spread(
  values: readonly number[],
  size: number,
): { distinct: number; steps: number; enough: number } {
  return {
    distinct: new Set(values).size,
    steps: new Set(values.slice(1).map((v, i) => (v - values[i]! + size) % size)).size,
    enough: expectedDistinct(values.length, size) / 2,
  };
}

/** How many different values `n` random symbols of an alphabet of `size` have on average. */
function expectedDistinct(n: number, size: number): number {
  return size * (1 - ((size - 1) / size) ** n);
}

/** The base64 and base64url alphabets, as symbol values 0 to 63 (`+` and `-` are 62, `/` and `_` 63). */
// One expression, marked pure: a module-level statement that changes the map (`.set()`) would keep secret.ts in
// the bundle of every handler, as esbuild cannot tell it does nothing else.
const BASE64_VALUE = /* @__PURE__ */ new Map<string, number>([
  ...[...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'].map((c, i) => [c, i] as const),
  ['+', 62],
  ['-', 62],
  ['/', 63],
  ['_', 63],
]);

/** The 40 commonest English letter pairs: text made of words has many, random base64 text about 1 pair in 25. */
const ENGLISH_PAIRS = /* @__PURE__ */ new Set(
  (
    'th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha as ou io le ve co me de hi ' +
    'ri ro ic ne ea'
  ).split(' '),
);

/**
 * Why a secret's text is obviously not random, or `undefined`: the bytes it encodes may look random (base64 of
 * an English phrase does) while the text itself, the HMAC key, is guessable. On the text's symbols (16 for hex,
 * 64 for base64): too few different symbols, or a run, as for bytes; and, for base64, text that reads as words:
 * most neighbouring characters both lower-case letters (random base64: 1 pair in 6), or many of the commonest
 * English letter pairs (random: 1 in 25). Random text of 43 characters fails one with a chance below 2^-30.
 */
function notRandomText(secret: string): string | undefined {
  const text = secret.replace(/=+$/, '');
  const hex = HEX.test(text);
  const values = [...text].map((c) => (hex ? parseInt(c, 16) : BASE64_VALUE.get(c)!));
  const size = hex ? 16 : 64;
  const { distinct, steps, enough } = spread(values, size);
  if (distinct < enough) return `its text uses only ${distinct} different characters`;
  if (steps < enough) return 'its characters follow a run';
  if (hex) return undefined;
  const pairs = text.length - 1;
  let lower = 0;
  let english = 0;
  for (let i = 0; i < pairs; i++) {
    if (/^[a-z]{2}$/.test(text.slice(i, i + 2))) lower++;
    if (ENGLISH_PAIRS.has(text.slice(i, i + 2).toLowerCase())) english++;
  }
  if (lower >= 0.6 * pairs || english >= 0.3 * pairs) return 'its text reads as words, a passphrase';
  return undefined;
}

/** The shortest block that `bytes` repeats from its start (`p` with `bytes[i] = bytes[i - p]` throughout). */
function repeatedBlock(bytes: Uint8Array): number | undefined {
  for (let p = 1; p <= bytes.length / 2; p++) {
    let repeats = true;
    for (let i = p; i < bytes.length && repeats; i++) repeats = bytes[i] === bytes[i - p];
    if (repeats) return p;
  }
  return undefined;
}

function refuse(where: string, what: string): never {
  throw new SessionConfigurationError(`${where}: idSecret ${what}; ${HOW_TO_MAKE}.`);
}
