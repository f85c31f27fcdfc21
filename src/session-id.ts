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
 * The id of a session tied to a stable key (a user id), `<seed part>.<chain part>`, 87 characters; the dot
 * keeps it apart from every server-issued and client id.
 * - The seed part is an HMAC-SHA-256 of the seed under the server secret: it names the item (see
 *   {@link hashSessionId}), so every device of the user finds the one session with one read, and nobody
 *   without the secret can compute it (a bare hash of a user id could be computed by anyone who knows it).
 * - The chain part is an HMAC, under the same secret, of the seed part and a random salt drawn whenever the
 *   user's session starts (a log-in while none is live). The item keeps the salt, for the next device to
 *   join, and the chain part's hash, to check ids against (see {@link seededChain}); log-out deletes both, so
 *   every id of that chain, stolen or not, is dead, and the next log-in's id differs.
 * Each HMAC has its own label, and neither is the id of earlier versions (a bare HMAC of the seed).
 */
export function deriveSessionId(seed: string, salt: string, secret: Uint8Array): string {
  return seededId(hmac(secret, SEED_LABEL, seed), salt, secret);
}

/**
 * What a seeded session's item keeps of its chain: `<salt>.<SHA-256 of the chain part>`. A table reader can
 * compute no id from it (the chain part needs the secret); a request's id is checked against it without one.
 */
export function seededChain(id: string, salt: string): string {
  return `${salt}.${sha256(id.slice(SEED_PART_LENGTH + 1))}`;
}

/** The seeded id of the same seed part on the stored chain `chain`: how a device joins the user's live session. */
export function rechainSessionId(id: string, chain: string, secret: Uint8Array): string {
  return seededId(id.slice(0, SEED_PART_LENGTH), chain.split('.')[0]!, secret);
}

/**
 * Whether `id` may open the item found under its key. A seeded id must be of the chain the item holds (an id
 * of an ended chain finds the item of a later log-in, and must not open it); any other id's key is its hash,
 * so finding the item is the proof.
 */
export function opensStoredSession(id: string, chain: string | undefined): boolean {
  if (!isSeededId(id)) return true;
  // Hashes compared: how long the comparison takes tells nothing about an id.
  return chain?.split('.')[1] === sha256(id.slice(SEED_PART_LENGTH + 1));
}

/** A salt: 128 random bits, base64url. */
export function newSalt(): string {
  return randomBytes(16).toString('base64url');
}

/** Whether an id has the shape of a seeded id (`regenerate({ seed })`). */
export function isSeededId(id: string): boolean {
  return SEEDED_ID.test(id);
}

const SEED_LABEL = 'lambda-sessions seed v2';
const CHAIN_LABEL = 'lambda-sessions chain v2';
const SEED_PART_LENGTH = 43;

/** `<seed part 43>.<chain part 43>`: two HMAC-SHA-256 as base64url. */
const SEEDED_ID = /^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/;

function seededId(seedPart: string, salt: string, secret: Uint8Array): string {
  return `${seedPart}.${hmac(secret, CHAIN_LABEL, `${seedPart}.${salt}`)}`;
}

/** HMAC-SHA-256 of a labelled message: the label keeps each use of the one secret apart. */
function hmac(secret: Uint8Array, label: string, message: string): string {
  return createHmac('sha256', secret).update(`${label}\0${message}`, 'utf8').digest('base64url');
}

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
 * (random, and seeded); with `acceptClientId`, any id of the client pattern is too. Anything else is "no session" without touching the
 * table.
 */
export function isUsableId(id: string, acceptClientId: boolean): boolean {
  return (acceptClientId ? CLIENT_ID : SERVER_ID).test(id) || isSeededId(id);
}

/**
 * The partition key stored for an id: base64url SHA-256. A table dump (backup, export, console) then holds no
 * id that could be replayed as a cookie or header. A seeded id's key is the hash of its seed part and dot
 * alone, the same for every chain of the seed: no other id hashes the same text (none has a dot).
 */
export function hashSessionId(id: string): string {
  return sha256(isSeededId(id) ? id.slice(0, SEED_PART_LENGTH + 1) : id);
}

/** How a session is named in logs and errors: a prefix of its hash, never the id itself. */
export function sessionRef(key: string): string {
  return key.slice(0, 10);
}
