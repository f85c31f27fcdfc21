import { type AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { brotliCompressSync, brotliDecompressSync, constants as zlib } from 'node:zlib';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  SessionConflictError,
  SessionCorruptError,
  SessionConfigurationError,
  SessionStoreUnavailableError,
  SessionTooLargeError,
} from '../errors';
import { sessionRef } from '../session-id';
import { LOCAL_CREDENTIALS_ADVICE, type MissingSdkSetting, missingSdkSetting } from './sdk-setup';
import { recordWinner, type SessionStore, type StoreCallOptions, type StoredSession } from './session-store';

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
}

/** The attribute names `session-lambda` and this library use unless told otherwise. */
export const DEFAULT_ATTRIBUTE_NAMES: Readonly<AttributeNames> = Object.freeze({
  key: 'key',
  value: 'value',
  ttl: 'ttl',
  createdAt: 'createdAt',
  updatedAt: 'updatedAt',
  version: 'version',
  schemaVersion: 'schemaVersion',
});

/** How to reach the table. */
export interface DynamoDBSessionStoreOptions {
  /** The table's name. */
  tableName: string;
  /**
   * A client to reuse (a plain `DynamoDBClient` is wrapped in a document client). Pass yours to share its
   * connection pool, credentials and middleware. @default a new client for `endpoint` and `region`
   */
  client?: DynamoDBClient | DynamoDBDocumentClient;
  /** Endpoint of the DynamoDB API, for DynamoDB Local or dynalite. Ignored when `client` is given. */
  endpoint?: string;
  /** AWS region. Ignored when `client` is given. @default the SDK's (AWS_REGION in Lambda) */
  region?: string;
  /** Attribute names, in part or whole. @default {@link DEFAULT_ATTRIBUTE_NAMES} */
  attributeNames?: Partial<AttributeNames>;
  /**
   * Strongly consistent reads: a session written by one request is seen by the next, at twice the read cost
   * of an eventually consistent read (1 RCU against 0.5 per 4 KB). @default true
   */
  consistentRead?: boolean;
  /**
   * Session data larger than this many bytes of JSON is stored brotli-compressed, as Binary: writes are
   * billed per 1 KB and reads per 4 KB, and session JSON compresses several times over. `0` compresses
   * everything; `Infinity` never. @default 4096
   */
  compressAbove?: number;
  /**
   * Attempts per request, retries of throttling, 5xx and network errors included (with the SDK's backoff).
   * Ignored when `client` is given. @default 3
   */
  maxAttempts?: number;
  /**
   * How long the client waits for one HTTP response before it gives up on the socket, in milliseconds: the
   * engine stops waiting after `storeTimeoutMs`, this frees the socket of a stalled request. Ignored when
   * `client` is given. @default 3000 (the engine's `storeTimeoutMs`)
   */
  requestTimeoutMs?: number;
  /** The largest item written, in bytes; larger sessions throw `SessionTooLargeError`. @default 409600 (DynamoDB's 400 KB) */
  maxItemBytes?: number;
}

/** DynamoDB's item size limit: 400 KB. */
const DYNAMODB_MAX_ITEM_BYTES = 400 * 1024;

/** The first byte of a Binary value: how the rest is encoded. Room for other encodings later. */
const BROTLI_JSON = 1;

/** Fast brotli: most of the ratio of the best setting at a fraction of its CPU time. */
const BROTLI_OPTIONS = {
  params: { [zlib.BROTLI_PARAM_QUALITY]: 5, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT },
};

/**
 * Sessions in a DynamoDB table, one item per session, through the AWS SDK v3 document client. One `GetItem`
 * to load, one conditional `PutItem` or `UpdateItem` to save. It never creates or describes the table: create
 * it once with the AWS CLI or a template (see the README).
 */
export class DynamoDBSessionStore implements SessionStore {
  /** The table this store reads and writes. */
  readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;
  private readonly names: Readonly<AttributeNames>;
  private readonly consistentRead: boolean;
  private readonly compressAbove: number;
  private readonly maxItemBytes: number;
  /** Whether `region` and credentials are this store's to set (it built the client) or the given client's. */
  private readonly ownsClient: boolean;

  constructor(options: DynamoDBSessionStoreOptions) {
    if (typeof options.tableName !== 'string' || !/^[A-Za-z0-9_.-]{3,255}$/.test(options.tableName)) {
      throw new SessionConfigurationError(
        `tableName ${JSON.stringify(options.tableName)} is not a DynamoDB table name: use 3 to 255 of ` +
          'A-Z a-z 0-9 _ - . (configureSessions({ tableName }) or SESSION_LAMBDA_DYNAMODB_TABLE_NAME).',
      );
    }
    this.tableName = options.tableName;
    this.names = checkAttributeNames({ ...DEFAULT_ATTRIBUTE_NAMES, ...options.attributeNames });
    this.consistentRead = options.consistentRead ?? true;
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
    this.client = toDocumentClient(options);
    this.ownsClient = options.client === undefined;
  }

  async load(key: string, _options?: StoreCallOptions): Promise<StoredSession | undefined> {
    const { Item } = await this.call('GetItem', key, () =>
      this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [this.names.key]: key },
          ConsistentRead: this.consistentRead,
        }),
      ),
    );
    return Item === undefined ? undefined : this.fromItem(key, Item);
  }

  async save(
    session: StoredSession,
    expectedVersion: number | undefined,
    _options?: StoreCallOptions,
  ): Promise<void> {
    const n = this.names;
    const value = this.encode(session.data);
    const item: Record<string, unknown> = {
      [n.key]: session.key,
      [n.value]: value,
      [n.createdAt]: session.createdAt,
      [n.updatedAt]: session.updatedAt,
      [n.version]: session.version,
    };
    if (session.expiresAt !== undefined) item[n.ttl] = session.expiresAt;
    if (session.schemaVersion !== undefined) item[n.schemaVersion] = session.schemaVersion;
    const size = itemSize(item);
    if (size > this.maxItemBytes)
      throw new SessionTooLargeError(sessionRef(session.key), size, this.maxItemBytes);

    // Create only where nothing is; replace only the version that was read. Never a blind overwrite.
    const condition: Pick<
      PutCommandInput,
      'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    > =
      expectedVersion === undefined
        ? { ConditionExpression: 'attribute_not_exists(#k)', ExpressionAttributeNames: { '#k': n.key } }
        : {
            ConditionExpression: '#v = :expected',
            ExpressionAttributeNames: { '#v': n.version },
            ExpressionAttributeValues: { ':expected': expectedVersion },
          };
    await this.call('PutItem', session.key, () =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ...condition,
          // On a lost race DynamoDB returns the winning item with the error, at no read cost: a retry needs
          // no GetItem.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
  }

  async touch(
    key: string,
    expiresAt: number | undefined,
    updatedAt: number,
    expectedVersion: number,
    _options?: StoreCallOptions,
  ): Promise<boolean> {
    const n = this.names;
    // A session that no longer expires (timeouts set to 0 since) loses its ttl attribute.
    const update = expiresAt === undefined ? 'SET #u = :u REMOVE #t' : 'SET #u = :u, #t = :t';
    try {
      await this.call('UpdateItem', key, () =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { [n.key]: key },
            UpdateExpression: update,
            ConditionExpression: '#v = :expected',
            ExpressionAttributeNames: { '#u': n.updatedAt, '#t': n.ttl, '#v': n.version },
            ExpressionAttributeValues: {
              ':u': updatedAt,
              ':expected': expectedVersion,
              ...(expiresAt === undefined ? {} : { ':t': expiresAt }),
            },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (error instanceof SessionConflictError) return false;
      throw error;
    }
  }

  async delete(key: string, _options?: StoreCallOptions): Promise<void> {
    await this.call('DeleteItem', key, () =>
      this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { [this.names.key]: key } })),
    );
  }

  /** Runs one request and turns the SDK's failures into this library's errors. */
  private async call<T>(operation: string, key: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (name === 'ConditionalCheckFailedException') {
        const conflict = new SessionConflictError(sessionRef(key), { cause: error });
        const winner = (error as { Item?: Record<string, AttributeValue> }).Item;
        if (winner) recordWinner(conflict, this.fromItem(key, fromAttributeValues(winner)));
        throw conflict;
      }
      if (name === 'ResourceNotFoundException') {
        throw new SessionStoreUnavailableError(
          `DynamoDB table "${this.tableName}" was not found (${operation}): create it (see the README's ` +
            '"Creating the table") or point tableName, region or endpoint at the right one.',
          { cause: error },
        );
      }
      const missing = missingSdkSetting(error);
      if (missing) {
        // The request never left: the laptop has no AWS configuration. Say what to set, not IAM and network.
        throw new SessionStoreUnavailableError(
          `DynamoDB ${operation} on table "${this.tableName}" was not sent: ${this.setupAdvice(missing, error)}`,
          { cause: error },
        );
      }
      throw new SessionStoreUnavailableError(
        `DynamoDB ${operation} on table "${this.tableName}" failed for session ${sessionRef(key)}: ` +
          `${name || 'Error'}: ${error instanceof Error ? error.message : String(error)}. Check the table, the ` +
          "function's IAM permissions (GetItem, PutItem, UpdateItem, DeleteItem) and the network.",
        { cause: error },
      );
    }
  }

  /** What to set when the SDK found no region or no credentials, for a client this store built or was given. */
  private setupAdvice(missing: MissingSdkSetting, error: unknown): string {
    if (missing === 'region') {
      return (
        `the AWS SDK found no region. ${this.ownsClient ? 'Set the region option (configureSessions({ region }))' : 'Give your client a region'} ` +
        'or the AWS_REGION environment variable (Lambda sets it); a local endpoint takes any region, e.g. local.'
      );
    }
    return (
      `the AWS SDK found no credentials (${(error as Error).message}). In Lambda they come from the ` +
      `function's execution role; ${LOCAL_CREDENTIALS_ADVICE}${this.ownsClient ? '' : ', or give your client credentials'}.`
    );
  }

  /** JSON text as stored: as is, or brotli-compressed Binary once it is larger than `compressAbove`. */
  private encode(json: string): string | Uint8Array {
    if (Buffer.byteLength(json) <= this.compressAbove) return json;
    const compressed = brotliCompressSync(json, BROTLI_OPTIONS);
    return Buffer.concat([Buffer.of(BROTLI_JSON), compressed]);
  }

  /** The stored value back to JSON text; anything that is not one of the two encodings is left for the check. */
  private decode(value: unknown, key: string): unknown {
    if (!(value instanceof Uint8Array)) return value;
    if (value[0] !== BROTLI_JSON) return undefined;
    try {
      return brotliDecompressSync(value.subarray(1)).toString('utf8');
    } catch (error) {
      throw new SessionCorruptError(
        `The compressed data of session ${sessionRef(key)} in table "${this.tableName}" cannot be decompressed; delete the item.`,
        { cause: error },
      );
    }
  }

  /** Checks the item's shape: an item this library did not write must not pass for a session. */
  private fromItem(key: string, item: Record<string, unknown>): StoredSession {
    const n = this.names;
    const data = this.decode(item[n.value], key);
    const expiresAt = item[n.ttl];
    const createdAt = item[n.createdAt];
    const updatedAt = item[n.updatedAt];
    const version = item[n.version];
    const schemaVersion = item[n.schemaVersion];
    if (
      (schemaVersion !== undefined && typeof schemaVersion !== 'number') ||
      typeof data !== 'string' ||
      (expiresAt !== undefined && typeof expiresAt !== 'number') ||
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
      expiresAt,
      createdAt,
      updatedAt,
      version,
      ...(schemaVersion === undefined ? {} : { schemaVersion }),
    };
  }
}

function toDocumentClient(options: DynamoDBSessionStoreOptions): DynamoDBDocumentClient {
  const { client } = options;
  if (client instanceof DynamoDBDocumentClient) return client;
  const base =
    client ??
    new DynamoDBClient({
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.region === undefined ? {} : { region: options.region }),
      maxAttempts: options.maxAttempts ?? 3,
      requestHandler: { requestTimeout: options.requestTimeoutMs ?? 3_000, connectionTimeout: 1_000 },
    });
  return DynamoDBDocumentClient.from(base);
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
    else size += 21;
  }
  return size;
}

/** The few attribute types a session item has, from the low-level form an error carries. */
function fromAttributeValues(item: Record<string, AttributeValue>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(item).map(([name, v]) => [name, v.S ?? (v.N !== undefined ? Number(v.N) : v.B)]),
  );
}
