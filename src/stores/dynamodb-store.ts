/**
 * The DynamoDB store: the table's requests, through the AWS SDK v3 document client. The item's layout lives in
 * `dynamodb-item.ts`.
 */
import { type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import { budgetOf, onBudgetSpent, sleep } from '../budget';
import {
  conflictWinner,
  SessionConflictError,
  SessionConfigurationError,
  SessionStoreUnavailableError,
  SessionWriteUnknownError,
} from '../errors';
import { sessionRef } from '../session-id';
import type * as DynamoDBSdk from './dynamodb-sdk';
import { loadDynamoDBSdk } from './load-dynamodb-sdk';
import { type AttributeNames, epochItemKey, SessionItemCodec, ttlSeconds } from './dynamodb-item';
import { RequestAbort, type WriteCommand, WriteAttempts } from './dynamodb-request';
import { DEFAULT_OWNER_INDEX_NAME } from './dynamodb-table';
import { LOCAL_CREDENTIALS_ADVICE, type MissingSdkSetting, missingSdkSetting } from './sdk-setup';
import {
  type DeleteCondition,
  type OwnedLoad,
  type OwnedSessionSummary,
  type OwnerIndex,
  type SessionStore,
  type StoreCallOptions,
  type StoredSession,
  type TouchChange,
} from './session-store';

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
   * How long the client waits for one HTTP response before it destroys the request and its socket (an attempt
   * the SDK may retry), in milliseconds. A call the engine gives up on (`storeTimeoutMs`) is cancelled at once
   * whatever this is; this bounds a call made without the engine. Ignored when `client` is given.
   * @default 3000 (the engine's `storeTimeoutMs`)
   */
  requestTimeoutMs?: number;
  /** The largest item written, in bytes; larger sessions throw `SessionTooLargeError`. @default 409600 (DynamoDB's 400 KB) */
  maxItemBytes?: number;
  /**
   * The global secondary index on the `owner` attribute that `listSessions()` and `revokeSession()` query
   * (see the README's table layout). Only apps that bind sessions to owners need it. @default 'owner-index'
   */
  ownerIndexName?: string;
}

/** Rounds of `UnprocessedKeys` a `BatchGetItem` is sent again for, within the call's time budget. */
const BATCH_ROUNDS = 8;

/**
 * Sessions in a DynamoDB table, one item per session, through the AWS SDK v3 document client. One `GetItem`
 * to load, one conditional `PutItem` or `UpdateItem` to save. It never creates or describes the table: create
 * it once with the AWS CLI or a template (see the README).
 */
export class DynamoDBSessionStore implements SessionStore {
  /** The table this store reads and writes. */
  readonly tableName: string;
  // Set in the constructor (CommonJS build), or when the SDK has loaded (ES module build: see `loading`).
  private client!: DynamoDBDocumentClient;
  private sdk!: typeof DynamoDBSdk;
  /** The SDK still loading (ES module build), which a request waits for; `undefined` once it has loaded. */
  private loading: Promise<void> | undefined;
  private readonly items: SessionItemCodec;
  private readonly consistentRead: boolean;
  /** Whether `region` and credentials are this store's to set (it built the client) or the given client's. */
  private readonly ownsClient: boolean;
  private readonly ownerIndexName: string;

  /**
   * The owners' epochs and index: an epoch item per owner ever revoked (key `owner.<owner key>`, no TTL), read
   * with the session in one `BatchGetItem`, and a `Query` of the owner index for the list.
   */
  readonly owners: OwnerIndex = {
    loadOwned: (key, ownerKey, options) => this.loadOwned(key, ownerKey, options),
    epoch: (ownerKey, options) => this.ownerEpoch(ownerKey, options),
    revokeAll: (ownerKey, options) => this.revokeAll(ownerKey, options),
    list: (ownerKey, options) => this.listOwned(ownerKey, options),
  };

  constructor(options: DynamoDBSessionStoreOptions) {
    if (typeof options.tableName !== 'string' || !/^[A-Za-z0-9_.-]{3,255}$/.test(options.tableName)) {
      throw new SessionConfigurationError(
        `tableName ${JSON.stringify(options.tableName)} is not a DynamoDB table name: use 3 to 255 of ` +
          'A-Z a-z 0-9 _ - . (configureSessions({ tableName }) or SESSION_LAMBDA_DYNAMODB_TABLE_NAME).',
      );
    }
    this.tableName = options.tableName;
    this.items = new SessionItemCodec(this.tableName, options);
    this.consistentRead = options.consistentRead ?? true;
    this.ownsClient = options.client === undefined;
    this.ownerIndexName = options.ownerIndexName ?? DEFAULT_OWNER_INDEX_NAME;
    // The SDK is loaded here, when a DynamoDB store is made (configureSessions() runs in the Lambda init phase),
    // not when the library is: an app on another store never loads it (see load-dynamodb-sdk.ts).
    const sdk = loadDynamoDBSdk();
    if (sdk instanceof Promise) {
      this.loading = sdk.then((loaded) => {
        this.useSdk(loaded, options);
        this.loading = undefined;
      });
      // A store never used leaves no unhandled rejection; a request still gets the failure.
      this.loading.catch(() => undefined);
    } else {
      this.useSdk(sdk, options);
    }
  }

  private useSdk(sdk: typeof DynamoDBSdk, options: DynamoDBSessionStoreOptions): void {
    this.sdk = sdk;
    this.client = sdk.documentClient(options);
  }

  async load(key: string, options?: StoreCallOptions): Promise<StoredSession | undefined> {
    const { Item } = await this.call('GetItem', key, options, (http) =>
      this.client.send(
        new this.sdk.GetCommand({
          TableName: this.tableName,
          Key: { [this.items.names.key]: key },
          ConsistentRead: this.consistentRead,
        }),
        http,
      ),
    );
    return Item === undefined ? undefined : this.items.fromItem(key, Item, options?.maxDataBytes);
  }

  async save(
    session: StoredSession,
    expectedVersion: number | undefined,
    options?: StoreCallOptions,
  ): Promise<void> {
    const n = this.items.names;
    const item = this.items.toItem(session);

    // Create only where nothing is; replace only the version that was read; or apply again this very write,
    // when the SDK resends it after a lost answer (its token is the newest on the item). Never a blind overwrite.
    const token = session.writeTokens?.[0];
    const own = token === undefined ? '' : ' OR #wt[0] = :token';
    const condition: Pick<
      PutCommandInput,
      'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    > =
      expectedVersion === undefined
        ? {
            ConditionExpression: `attribute_not_exists(#k)${own}`,
            ExpressionAttributeNames: { '#k': n.key, ...(token && { '#wt': n.writeTokens }) },
            ...(token && { ExpressionAttributeValues: { ':token': token } }),
          }
        : {
            ConditionExpression: `#v = :expected${own}`,
            ExpressionAttributeNames: { '#v': n.version, ...(token && { '#wt': n.writeTokens }) },
            ExpressionAttributeValues: { ':expected': expectedVersion, ...(token && { ':token': token }) },
          };
    try {
      await this.put(session.key, item, condition, options);
    } catch (error) {
      if (!(error instanceof SessionConflictError) || token === undefined) throw error;
      // This write was applied (its answer lost) and then built upon: its token is among the older ones.
      // DynamoDB returned the item with the failure; an emulator that does not (dynalite) costs one read here.
      const known = conflictWinner(error);
      const current = known ? known.current : ((await this.load(session.key, options)) ?? null);
      if (current?.writeTokens?.includes(token)) return;
      if (known) throw error;
      throw new SessionConflictError(error.sessionRef, { cause: error.cause, key: session.key, current });
    }
  }

  private async put(
    key: string,
    item: Record<string, unknown>,
    condition: Pick<
      PutCommandInput,
      'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    >,
    options: StoreCallOptions | undefined,
  ): Promise<void> {
    await this.call('PutItem', key, options, (http, watch) =>
      this.client.send(
        watch(
          new this.sdk.PutCommand({
            TableName: this.tableName,
            Item: item,
            ...condition,
            // On a lost race DynamoDB returns the winning item with the error, at no read cost: a retry needs
            // no GetItem.
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
        http,
      ),
    );
  }

  async touch(key: string, change: TouchChange, options?: StoreCallOptions): Promise<boolean> {
    const { updatedAt, expectedVersion } = change;
    const expiresAt = ttlSeconds(change.expiresAt);
    const n = this.items.names;
    // A session that no longer expires (timeouts set to 0 since) loses its ttl attribute.
    const update = expiresAt === undefined ? 'SET #u = :u REMOVE #t' : 'SET #u = :u, #t = :t';
    try {
      await this.call('UpdateItem', key, options, (http, watch) =>
        this.client.send(
          watch(
            new this.sdk.UpdateCommand({
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
          http,
        ),
      );
      return true;
    } catch (error) {
      if (error instanceof SessionConflictError) return false;
      throw error;
    }
  }

  async delete(
    key: string,
    condition?: DeleteCondition,
    options?: StoreCallOptions,
  ): Promise<'deleted' | 'absent'> {
    const n = this.items.names;
    try {
      const { Attributes } = await this.call('DeleteItem', key, options, (http, watch) =>
        this.client.send(
          watch(
            new this.sdk.DeleteCommand({
              TableName: this.tableName,
              Key: { [n.key]: key },
              // A conditional delete that succeeds deleted the item; an unconditional one learns it from the item.
              ReturnValues: condition ? 'NONE' : 'ALL_OLD',
              ...(condition && {
                ConditionExpression: '#v = :expected',
                ExpressionAttributeNames: { '#v': n.version },
                ExpressionAttributeValues: { ':expected': condition.expectedVersion },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              }),
            }),
          ),
          http,
        ),
      );
      return condition || Attributes !== undefined ? 'deleted' : 'absent';
    } catch (error) {
      if (!(error instanceof SessionConflictError)) throw error;
      // Nothing returned with the failure: nothing was there (DynamoDB), or an emulator that returns nothing
      // (dynalite), which one read tells apart.
      const known = conflictWinner(error);
      const current = known ? known.current : ((await this.load(key, options)) ?? null);
      if (current === null) return 'absent';
      if (known) throw error;
      throw new SessionConflictError(error.sessionRef, { cause: error.cause, key, current });
    }
  }

  /**
   * The session and its owner's epoch item in one `BatchGetItem`, strongly consistent whatever `consistentRead`
   * says: a revocation must be seen by the very next request. Keys DynamoDB leaves unprocessed (throttling) are
   * asked again, a few rounds within the call's budget.
   */
  private async loadOwned(key: string, ownerKey: string, options?: StoreCallOptions): Promise<OwnedLoad> {
    const n = this.items.names;
    const epochKey = epochItemKey(ownerKey);
    const found = new Map<string, Record<string, unknown>>();
    let keys: Record<string, unknown>[] = [{ [n.key]: key }, { [n.key]: epochKey }];
    for (let round = 0; keys.length > 0; round++) {
      if (round === BATCH_ROUNDS) {
        throw new SessionStoreUnavailableError(
          `DynamoDB BatchGetItem on table "${this.tableName}" left keys unprocessed ${BATCH_ROUNDS} times for ` +
            `session ${sessionRef(key)} (throttling): nothing was written. Check the table's capacity.`,
        );
      }
      // A short wait, doubling each round, before the keys left are asked again; none once the budget is spent.
      if (round > 0 && !budgetOf(options)?.spent) await sleep(Math.min(10 * 2 ** round, 200));
      const request = keys;
      const { Responses, UnprocessedKeys } = await this.call('BatchGetItem', key, options, (http) =>
        this.client.send(
          new this.sdk.BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: request, ConsistentRead: true } },
          }),
          http,
        ),
      );
      for (const item of Responses?.[this.tableName] ?? []) found.set(String(item[n.key]), item);
      keys = UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    const item = found.get(key);
    return {
      session: item === undefined ? undefined : this.items.fromItem(key, item, options?.maxDataBytes),
      epoch: this.epochOf(found.get(epochKey)),
    };
  }

  private async ownerEpoch(ownerKey: string, options?: StoreCallOptions): Promise<number> {
    const epochKey = epochItemKey(ownerKey);
    const { Item } = await this.call('GetItem', epochKey, options, (http) =>
      this.client.send(
        new this.sdk.GetCommand({
          TableName: this.tableName,
          Key: { [this.items.names.key]: epochKey },
          ConsistentRead: true,
        }),
        http,
      ),
    );
    return this.epochOf(Item);
  }

  /** One atomic `ADD`: two revocations at once raise the epoch twice, and neither is lost. */
  private async revokeAll(ownerKey: string, options?: StoreCallOptions): Promise<number> {
    const n = this.items.names;
    const epochKey = epochItemKey(ownerKey);
    const { Attributes } = await this.call('UpdateItem', epochKey, options, (http) =>
      this.client.send(
        new this.sdk.UpdateCommand({
          TableName: this.tableName,
          Key: { [n.key]: epochKey },
          UpdateExpression: 'ADD #e :one',
          ExpressionAttributeNames: { '#e': n.ownerEpoch },
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
        http,
      ),
    );
    return this.epochOf(Attributes);
  }

  /** Every page of the owner index's `Query` for the owner: keys, times, epochs and labels, no data. */
  private async listOwned(ownerKey: string, options?: StoreCallOptions): Promise<OwnedSessionSummary[]> {
    const n = this.items.names;
    const summaries: OwnedSessionSummary[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.call('Query', epochItemKey(ownerKey), options, (http) =>
        this.client.send(
          new this.sdk.QueryCommand({
            TableName: this.tableName,
            IndexName: this.ownerIndexName,
            KeyConditionExpression: '#o = :o',
            ExpressionAttributeNames: { '#o': n.owner },
            ExpressionAttributeValues: { ':o': ownerKey },
            ...(start && { ExclusiveStartKey: start }),
          }),
          http,
        ),
      );
      for (const item of page.Items ?? []) {
        const summary = this.items.summaryOf(item);
        if (summary) summaries.push(summary);
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return summaries;
  }

  private epochOf(item: Record<string, unknown> | undefined): number {
    const epoch = item?.[this.items.names.ownerEpoch];
    return typeof epoch === 'number' ? epoch : 0;
  }

  /**
   * Runs one request, cancelled (its socket destroyed, no retry sent) when the call's time budget is spent, and
   * turns the SDK's failures into this library's errors. Never sent once the budget is spent. A write passes
   * its command through `watch`: when it fails after an attempt DynamoDB may have applied, the error is a
   * {@link SessionWriteUnknownError}. A failed condition stays a conflict: the write token makes the SDK's
   * resend of a write already applied succeed, so a condition that fails is another writer's.
   */
  private async call<T>(
    operation: string,
    key: string,
    options: StoreCallOptions | undefined,
    request: (
      http: { abortSignal: RequestAbort } | undefined,
      watch: <C extends WriteCommand>(command: C) => C,
    ) => Promise<T>,
  ): Promise<T> {
    if (this.loading) await this.loading;
    // Not options.signal: the engine's budget makes its AbortSignal only for a store that reads it (4 µs).
    const budget = budgetOf(options);
    if (budget?.spent) throw this.cancelled(operation, key, budget.reason);
    const abort = budget && new RequestAbort();
    const release = abort ? onBudgetSpent(options, () => abort.abort()) : undefined;
    let attempts: WriteAttempts | undefined;
    const watch = <C extends WriteCommand>(command: C): C => {
      attempts = new WriteAttempts(command, abort);
      return command;
    };
    try {
      return await request(abort && { abortSignal: abort }, watch);
    } catch (error) {
      const failure = this.failure(operation, key, error, options);
      if (attempts?.mayHaveApplied && !(failure instanceof SessionConflictError)) {
        throw this.unknownOutcome(operation, key, error);
      }
      if (abort?.aborted && !(failure instanceof SessionConflictError))
        throw this.cancelled(operation, key, error);
      throw failure;
    } finally {
      release?.();
    }
  }

  /** A write that failed after an attempt DynamoDB may have applied. */
  private unknownOutcome(operation: string, key: string, error: unknown): SessionWriteUnknownError {
    const name = error instanceof Error ? error.name : 'Error';
    return new SessionWriteUnknownError(
      `DynamoDB ${operation} on table "${this.tableName}" for session ${sessionRef(key)} may have been ` +
        `applied: it was sent, and no answer confirmed or refused it (${name}: ` +
        `${error instanceof Error ? error.message : String(error)}). Read the session again before repeating a ` +
        'change that must not happen twice; check the network path to DynamoDB.',
      { cause: error },
    );
  }

  /** A request cancelled because its time budget was spent, before anything of it could have been applied. */
  private cancelled(operation: string, key: string, cause: unknown): SessionStoreUnavailableError {
    return new SessionStoreUnavailableError(
      `DynamoDB ${operation} on table "${this.tableName}" was cancelled for session ${sessionRef(key)}: its ` +
        'time budget was spent; nothing was written.',
      { cause },
    );
  }

  /** This library's error for a failure of the SDK, when no attempt of it may have been applied. */
  private failure(
    operation: string,
    key: string,
    error: unknown,
    options: StoreCallOptions | undefined,
  ): SessionConflictError | SessionStoreUnavailableError {
    const name = error instanceof Error ? error.name : '';
    if (name === 'ConditionalCheckFailedException') {
      // DynamoDB returns what won with the failure (ReturnValuesOnConditionCheckFailure): no second read.
      const winner = (error as { Item?: Record<string, AttributeValue> }).Item;
      return new SessionConflictError(sessionRef(key), {
        cause: error,
        key,
        ...(winner ? { current: this.items.fromAttributeValues(key, winner, options?.maxDataBytes) } : {}),
      });
    }
    // DynamoDB says ValidationException "The table does not have the specified index"; moto_server says
    // ResourceNotFoundException "Invalid index: ...", which is not a missing table.
    if (
      (name === 'ValidationException' || name === 'ResourceNotFoundException') &&
      operation === 'Query' &&
      /index/i.test(String((error as Error).message))
    ) {
      return new SessionStoreUnavailableError(
        `DynamoDB table "${this.tableName}" has no index "${this.ownerIndexName}", which sessions that belong ` +
          "to a user need: add it (npx lambda-sessions check names it; see the README's table layout) or set " +
          'ownerIndexName.',
        { cause: error },
      );
    }
    if (name === 'ResourceNotFoundException') {
      return new SessionStoreUnavailableError(
        `DynamoDB table "${this.tableName}" was not found (${operation}): create it (see the README's ` +
          '"Creating the table") or point tableName, region or endpoint at the right one.',
        { cause: error },
      );
    }
    const missing = missingSdkSetting(error);
    if (missing) {
      // The request never left: the laptop has no AWS configuration. Say what to set, not IAM and network.
      return new SessionStoreUnavailableError(
        `DynamoDB ${operation} on table "${this.tableName}" was not sent: ${this.setupAdvice(missing, error)}`,
        { cause: error },
      );
    }
    return new SessionStoreUnavailableError(
      `DynamoDB ${operation} on table "${this.tableName}" failed for session ${sessionRef(key)}: ` +
        `${name || 'Error'}: ${error instanceof Error ? error.message : String(error)}. Nothing was written. ` +
        "Check the table, the function's IAM permissions (GetItem, PutItem, UpdateItem, DeleteItem; " +
        'BatchGetItem and Query on the owner index for owners) and the ' +
        'network.',
      { cause: error },
    );
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
}
