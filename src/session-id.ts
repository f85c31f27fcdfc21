import { createHash, createHmac, randomBytes } from 'node:crypto';

/** Bytes of randomness in a server-issued id: 256 bits, well past OWASP's 64-bit minimum. */
const ID_BYTES = 32;

/** A server-issued id: 32 random bytes as base64url, always 43 characters. */
const SERVER_ID = /^[A-Za-z0-9_-]{43}$/;

/** An id a client may propose when `acceptClientId` is on. */
const CLIENT_ID = /^[A-Za-z0-9_-]{16,128}$/;

/** A fresh, unguessable session id (base64url of 32 bytes from the OS CSPRNG). */
export function generateSessionId(): string {
  return randomBytes(ID_BYTES).toString('base64url');
}

/**
 * The id of a session tied to a stable key (a user id): HMAC-SHA-256 of the seed under a server secret, as
 * base64url, so it has the shape of a server-issued id. A bare hash would let anyone who knows the user id
 * compute the session id; the secret is what makes it unguessable.
 */
export function deriveSessionId(seed: string, secret: Uint8Array): string {
  return createHmac('sha256', secret).update(seed, 'utf8').digest('base64url');
}

/**
 * Whether an id read from a request is worth a lookup. In strict mode only the shape the server issues is;
 * with `acceptClientId`, any id of the client pattern is. Anything else is "no session" without touching the
 * table.
 */
export function isUsableId(id: string, acceptClientId: boolean): boolean {
  return (acceptClientId ? CLIENT_ID : SERVER_ID).test(id);
}

/**
 * The partition key stored for an id: base64url SHA-256. A table dump (backup, export, console) then holds no
 * id that could be replayed as a cookie or header.
 */
export function hashSessionId(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

/** How a session is named in logs and errors: a prefix of its hash, never the id itself. */
export function sessionRef(key: string): string {
  return key.slice(0, 10);
}
