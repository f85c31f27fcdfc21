import * as nodeCrypto from 'node:crypto';
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
 * The id of a session that belongs to an owner (`regenerate({ owner })`), `<random part>.<owner key>`, 87
 * characters; the dot keeps it apart from every server-issued and client id. The random part is a fresh
 * server-issued id, so every log-in of every device gets its own unguessable id; the owner key (see
 * {@link ownerKeyOf}) tells the store, before it reads anything, which owner's revocation epoch to read with
 * the session: one round trip answers both "is the session there" and "was it revoked".
 */
export function generateOwnedSessionId(ownerKey: string): string {
  return `${generateSessionId()}.${ownerKey}`;
}

/**
 * The key an owner is stored under: an HMAC-SHA-256 of the owner (a user id, an e-mail) under the server
 * secret, base64url. A table reader, or the holder of a cookie, learns nothing of the owner from it, and
 * cannot compute it for another owner (a bare hash of an e-mail could be computed by anyone who knows it).
 */
export function ownerKeyOf(owner: string, secret: Uint8Array): string {
  return createHmac('sha256', secret).update(`${OWNER_LABEL}\0${owner}`, 'utf8').digest('base64url');
}

/** The owner key an owned id carries, or `undefined` for an id of another shape. */
export function ownerKeyOfId(id: string): string | undefined {
  return OWNED_ID.test(id) ? id.slice(OWNER_KEY_START) : undefined;
}

/** A log-in chain's mark (see `StoredSession.chain`): 128 random bits, base64url. */
export function newSalt(): string {
  return randomBytes(16).toString('base64url');
}

const OWNER_LABEL = 'lambda-sessions owner v1';
const OWNER_KEY_START = 44;

/** `<random part 43>.<owner key 43>`. */
const OWNED_ID = /^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/;

/**
 * SHA-256 as base64url: Node's one-shot `crypto.hash()` (Node 20.12 and 21.7 on) where it exists, a third of
 * `createHash()`'s time for an id (no Hash object, one call into C++); `createHash()` before. Read from the
 * module's namespace: a named import of an export the Node.js version lacks fails to link as an ES module.
 */
const sha256: (text: string) => string =
  typeof (nodeCrypto as { hash?: unknown }).hash === 'function'
    ? (text) => nodeCrypto.hash('sha256', text, 'base64url')
    : (text) => createHash('sha256').update(text).digest('base64url');

/**
 * Whether an id read from a request is worth a lookup. In strict mode only the shapes the server issues are
 * (random, and owned); with `acceptClientId`, any id of the client pattern is too. Anything else is "no session" without touching the
 * table.
 */
export function isUsableId(id: string, acceptClientId: boolean): boolean {
  return (acceptClientId ? CLIENT_ID : SERVER_ID).test(id) || OWNED_ID.test(id);
}

/**
 * The partition key stored for an id: base64url SHA-256. A table dump (backup, export, console) then holds no
 * id that could be replayed as a cookie or header.
 */
export function hashSessionId(id: string): string {
  return sha256(id);
}

/** How a session is named in logs and errors: a prefix of its hash, never the id itself. */
export function sessionRef(key: string): string {
  return key.slice(0, 10);
}
