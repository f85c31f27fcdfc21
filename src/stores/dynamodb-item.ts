/**
 * A session as a DynamoDB item: the attribute names, the data's encoding (JSON text, or brotli-compressed
 * Binary above a size), the TTL in epoch seconds, the item size DynamoDB counts, and the check that an item
 * read is one this library wrote.
 */
import { type AttributeValue } from '@aws-sdk/client-dynamodb';
import { brotliCompressSync, brotliDecompressSync, constants as zlib } from 'node:zlib';
import { DEFAULT_MAX_SESSION_BYTES } from '../constants';
import { SessionConfigurationError, SessionCorruptError, SessionTooLargeError } from '../errors';
import { sessionRef } from '../session-id';
import { type OwnedSessionSummary, type StoredSession } from './session-store';

/** The names of the item's attributes. Change them to match an existing table. */
export interface AttributeNames {
  /** Partition key (type `S`) holding the hashed id. @default 'key' */
  key: string;
  /** The session data as JSON text. @default 'value' */
  value: string;
  /** Expiry in epoch seconds; enable the table's DynamoDB TTL on this attribute. @default 'ttl' */
  ttl: string;
  /** Creation time, epoch ms. @default 'createdAt' */
  createdAt: string;
  /** Time of the last write or expiry slide, epoch ms. @default 'updatedAt' */
  updatedAt: string;
  /** Write counter, the condition of every write. @default 'version' */
  version: string;
  /** Schema version of the data (the `version` option). @default 'schemaVersion' */
  schemaVersion: string;
  /** Fingerprint of the validation rules the data passed when written (a string). @default 'validatedRules' */
  validatedRules: string;
  /** The last writes' random tokens (a list of strings, newest first): what makes writes idempotent. @default 'writeTokens' */
  writeTokens: string;
  /** The log-in chain's salt (a string), on sessions `regenerate()` wrote. @default 'chain' */
  chain: string;
  /**
   * The owner key (a string, an HMAC of the owner) of a session bound to an owner: the partition key of the
   * owner index (a sparse global secondary index: sessions of nobody are not in it). @default 'owner'
   */
  owner: string;
  /**
   * A number: on a session, the owner's epoch it was bound under; on an owner's epoch item (key
   * `owner.<owner key>`), the epoch. @default 'ownerEpoch'
   */
  ownerEpoch: string;
  /** The device label of a session bound to an owner (a string). @default 'label' */
  label: string;
}

/** The attribute names `session-lambda` and this library use unless told otherwise. */
export const DEFAULT_ATTRIBUTE_NAMES: Readonly<AttributeNames> = /* @__PURE__ */ Object.freeze({
  key: 'key',
  value: 'value',
  ttl: 'ttl',
  createdAt: 'createdAt',
  updatedAt: 'updatedAt',
  version: 'version',
  schemaVersion: 'schemaVersion',
  validatedRules: 'validatedRules',
  writeTokens: 'writeTokens',
  chain: 'chain',
  owner: 'owner',
  ownerEpoch: 'ownerEpoch',
  label: 'label',
});

/** The key of an owner's epoch item: no session key (a 43-character hash) has a dot. */
export function epochItemKey(ownerKey: string): string {
  return `owner.${ownerKey}`;
}

/** DynamoDB's item size limit: 400 KB. */
export const DYNAMODB_MAX_ITEM_BYTES = 400 * 1024;

/** The first byte of a Binary value: how the rest is encoded. Room for other encodings later. */
const BROTLI_JSON = 1;

/**
 * Fast brotli: most of the ratio of the best setting at a fraction of its CPU time. A function, not a
 * module-level object: keys read from an import are a side effect to a bundler, which would then keep this
 * module in every bundle.
 */
const brotliOptions = () => ({
  params: { [zlib.BROTLI_PARAM_QUALITY]: 5, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT },
});

/** How items are encoded; the DynamoDB store's options of the same names. */
export interface ItemCodecOptions {
  readonly attributeNames?: Partial<AttributeNames> | undefined;
  readonly compressAbove?: number | undefined;
  readonly maxItemBytes?: number | undefined;
}

/** Sessions to items and back, for one table. */
export class SessionItemCodec {
  /** The attribute names in use. */
  readonly names: Readonly<AttributeNames>;
  private readonly compressAbove: number;
  private readonly maxItemBytes: number;

  /** @param tableName for messages */
  constructor(
    private readonly tableName: string,
    options: ItemCodecOptions,
  ) {
    this.names = checkAttributeNames({ ...DEFAULT_ATTRIBUTE_NAMES, ...options.attributeNames });
    this.compressAbove = options.compressAbove ?? 4096;
    this.maxItemBytes = options.maxItemBytes ?? DYNAMODB_MAX_ITEM_BYTES;
    if (
      !(this.compressAbove >= 0) ||
      !(this.maxItemBytes > 0 && this.maxItemBytes <= DYNAMODB_MAX_ITEM_BYTES)
    ) {
      throw new SessionConfigurationError(
        `compressAbove must be 0 or more and maxItemBytes between 1 and ${DYNAMODB_MAX_ITEM_BYTES}.`,
      );
    }
  }

  /** The item for a session; throws `SessionTooLargeError` (before any request) when it would not fit. */
  toItem(session: StoredSession): Record<string, unknown> {
    const n = this.names;
    const item: Record<string, unknown> = {
      [n.key]: session.key,
      [n.value]: this.encode(session.data),
      [n.createdAt]: session.createdAt,
      [n.updatedAt]: session.updatedAt,
      [n.version]: session.version,
    };
    const ttl = ttlSeconds(session.expiresAt);
    if (ttl !== undefined) item[n.ttl] = ttl;
    if (session.schemaVersion !== undefined) item[n.schemaVersion] = session.schemaVersion;
    if (session.validatedRules !== undefined) item[n.validatedRules] = session.validatedRules;
    if (session.writeTokens !== undefined) item[n.writeTokens] = [...session.writeTokens];
    if (session.chain !== undefined) item[n.chain] = session.chain;
    if (session.owner !== undefined) {
      item[n.owner] = session.owner;
      item[n.ownerEpoch] = session.ownerEpoch ?? 0;
      if (session.label !== undefined) item[n.label] = session.label;
    }
    const size = itemSize(item);
    if (size > this.maxItemBytes)
      throw new SessionTooLargeError(sessionRef(session.key), size, this.maxItemBytes);
    return item;
  }

  /**
   * Checks the item's shape: an item this library did not write must not pass for a session.
   * @param maxDataBytes compressed data is not decompressed past this many bytes (the engine's `maxSessionBytes`)
   */
  fromItem(
    key: string,
    item: Record<string, unknown>,
    maxDataBytes = DEFAULT_MAX_SESSION_BYTES,
  ): StoredSession {
    const n = this.names;
    const data = this.decode(item[n.value], key, maxDataBytes);
    const ttl = item[n.ttl];
    const createdAt = item[n.createdAt];
    const updatedAt = item[n.updatedAt];
    const version = item[n.version];
    const schemaVersion = item[n.schemaVersion];
    const validatedRules = item[n.validatedRules];
    const writeTokens = item[n.writeTokens];
    const chain = item[n.chain];
    const { owner, ownerEpoch, label } = this.ownerAttributes(item);
    if (
      owner === null ||
      (chain !== undefined && typeof chain !== 'string') ||
      (schemaVersion !== undefined && typeof schemaVersion !== 'number') ||
      (validatedRules !== undefined && typeof validatedRules !== 'string') ||
      (writeTokens !== undefined &&
        !(Array.isArray(writeTokens) && writeTokens.every((t) => typeof t === 'string'))) ||
      typeof data !== 'string' ||
      (ttl !== undefined && typeof ttl !== 'number') ||
      typeof createdAt !== 'number' ||
      typeof updatedAt !== 'number' ||
      typeof version !== 'number'
    ) {
      throw new SessionCorruptError(
        `The item for session ${sessionRef(key)} in table "${this.tableName}" is not a session this library ` +
          `wrote: expected string "${n.value}" and numbers "${n.createdAt}", "${n.updatedAt}", "${n.version}" ` +
          `(and "${n.ttl}"). Check attributeNames against the table, or delete the item.`,
      );
    }
    return {
      key,
      data,
      expiresAt: ttl === undefined ? undefined : ttl * 1000,
      createdAt,
      updatedAt,
      version,
      ...(schemaVersion === undefined ? {} : { schemaVersion }),
      ...(validatedRules === undefined ? {} : { validatedRules }),
      ...(writeTokens === undefined ? {} : { writeTokens: writeTokens }),
      ...(chain === undefined ? {} : { chain }),
      ...(owner === undefined ? {} : { owner, ownerEpoch, ...(label === undefined ? {} : { label }) }),
    };
  }

  /**
   * What an item of the owner index gives (the index projects no data): `undefined` for an item not of that
   * shape, which is left out of the list rather than failing it.
   */
  summaryOf(item: Record<string, unknown>): OwnedSessionSummary | undefined {
    const n = this.names;
    const key = item[n.key];
    const ttl = item[n.ttl];
    const createdAt = item[n.createdAt];
    const updatedAt = item[n.updatedAt];
    const { owner, ownerEpoch, label } = this.ownerAttributes(item);
    if (
      typeof key !== 'string' ||
      typeof owner !== 'string' ||
      (ttl !== undefined && typeof ttl !== 'number') ||
      typeof createdAt !== 'number' ||
      typeof updatedAt !== 'number'
    ) {
      return undefined;
    }
    return {
      key,
      createdAt,
      updatedAt,
      expiresAt: ttl === undefined ? undefined : ttl * 1000,
      ownerEpoch,
      label,
    };
  }

  /** An item's owner attributes: all absent, or owner and epoch (and a label) well typed; `owner: null` if not. */
  private ownerAttributes(item: Record<string, unknown>): {
    owner: string | null | undefined;
    ownerEpoch: number | undefined;
    label: string | undefined;
  } {
    const n = this.names;
    const owner = item[n.owner];
    const ownerEpoch = item[n.ownerEpoch];
    const label = item[n.label];
    if (owner === undefined && ownerEpoch === undefined && label === undefined) {
      return { owner: undefined, ownerEpoch: undefined, label: undefined };
    }
    if (
      typeof owner !== 'string' ||
      typeof ownerEpoch !== 'number' ||
      (label !== undefined && typeof label !== 'string')
    ) {
      return { owner: null, ownerEpoch: undefined, label: undefined };
    }
    return { owner, ownerEpoch, label };
  }

  /** The item a failed condition returned, in the SDK's low-level form (`{ S }`, `{ N }`, `{ B }`). */
  fromAttributeValues(
    key: string,
    item: Record<string, AttributeValue>,
    maxDataBytes?: number,
  ): StoredSession {
    return this.fromItem(key, fromAttributeValues(item), maxDataBytes);
  }

  /** JSON text as stored: as is, or brotli-compressed Binary once it is larger than `compressAbove`. */
  private encode(json: string): string | Uint8Array {
    if (Buffer.byteLength(json) <= this.compressAbove) return json;
    const compressed = brotliCompressSync(json, brotliOptions());
    return Buffer.concat([Buffer.of(BROTLI_JSON), compressed]);
  }

  /**
   * The stored value back to JSON text; anything that is not one of the two encodings is left for the check.
   * Decompression stops at `maxBytes` of output: a few hundred bytes of brotli can expand to hundreds of MB.
   */
  private decode(value: unknown, key: string, maxBytes: number): unknown {
    if (!(value instanceof Uint8Array)) return value;
    if (value[0] !== BROTLI_JSON) return undefined;
    try {
      return brotliDecompressSync(value.subarray(1), { maxOutputLength: maxBytes }).toString('utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new SessionCorruptError(
          `The compressed data of session ${sessionRef(key)} in table "${this.tableName}" expands to more than ` +
            `${maxBytes} bytes of JSON (maxSessionBytes), more than this code writes, so it was not ` +
            'decompressed further. Delete the item; or, if a deployment with a higher maxSessionBytes wrote ' +
            'it, raise maxSessionBytes again.',
          { cause: error },
        );
      }
      throw new SessionCorruptError(
        `The compressed data of session ${sessionRef(key)} in table "${this.tableName}" cannot be decompressed; delete the item.`,
        { cause: error },
      );
    }
  }
}

/**
 * An expiry as DynamoDB's TTL attribute wants it: epoch seconds, rounded up so that a session never dies
 * early.
 */
export function ttlSeconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.ceil(ms / 1000);
}

function checkAttributeNames(names: AttributeNames): Readonly<AttributeNames> {
  const values = Object.values(names);
  const bad = Object.entries(names).find(
    ([, v]) => typeof v !== 'string' || v.length === 0 || v.length > 255,
  );
  if (bad) {
    throw new SessionConfigurationError(
      `attributeNames.${bad[0]} must be a non-empty string of at most 255 characters, got ${JSON.stringify(bad[1])}.`,
    );
  }
  if (new Set(values).size !== values.length) {
    throw new SessionConfigurationError(`attributeNames must all differ, got ${JSON.stringify(names)}.`);
  }
  return Object.freeze(names);
}

/**
 * An item's size as DynamoDB bills and limits it: attribute names plus values, strings and binaries by their
 * bytes, numbers at their largest (21 bytes).
 */
function itemSize(item: Record<string, unknown>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    size += Buffer.byteLength(name);
    if (typeof value === 'string') size += Buffer.byteLength(value);
    else if (value instanceof Uint8Array) size += value.length;
    else if (Array.isArray(value))
      size += 3 + value.reduce((n: number, v) => n + 1 + Buffer.byteLength(String(v)), 0);
    else size += 21;
  }
  return size;
}

/** The few attribute types a session item has, from the low-level form an error carries. */
function fromAttributeValues(item: Record<string, AttributeValue>): Record<string, unknown> {
  const value = (v: AttributeValue): unknown =>
    v.S ?? (v.N !== undefined ? Number(v.N) : (v.B ?? v.L?.map(value)));
  return Object.fromEntries(Object.entries(item).map(([name, v]) => [name, value(v)]));
}
