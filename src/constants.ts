/** Values more than one module needs. Imports nothing, so that any module may import it. */

/** The environment variable naming the table, as in `session-lambda`. */
export const TABLE_NAME_ENV = 'SESSION_LAMBDA_DYNAMODB_TABLE_NAME';

/**
 * How long a store call may take by default, retries included: DynamoDB answers in milliseconds, and three
 * seconds covers its retries while still failing well before most Lambda timeouts. The engine's
 * `storeTimeoutMs` and the DynamoDB client's `requestTimeoutMs`.
 */
export const DEFAULT_STORE_TIMEOUT_MS = 3_000;

/**
 * The most session JSON, in UTF-8 bytes, the engine writes or reads by default (`maxSessionBytes`): 1 MiB,
 * about the largest cart that still takes well under a second to hydrate and validate. DynamoDB's 400 KB limit
 * counts compressed bytes, and session JSON compresses a hundredfold or more.
 */
export const DEFAULT_MAX_SESSION_BYTES = 1_048_576;
