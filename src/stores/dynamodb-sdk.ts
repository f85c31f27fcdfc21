/**
 * Every AWS SDK value the DynamoDB store uses, in one module that the store loads when it is made
 * (load-dynamodb-sdk.ts): the CommonJS build requires it, the ES module build imports it, a chunk of its own.
 * Loading the library does not load the SDK.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_STORE_TIMEOUT_MS } from '../constants';
import { type DynamoDBSessionStoreOptions } from './dynamodb-store';

export {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';

/** The document client a store sends through: the one given, or one built for the options. */
export function documentClient(options: DynamoDBSessionStoreOptions): DynamoDBDocumentClient {
  const { client } = options;
  if (client instanceof DynamoDBDocumentClient) return client;
  const base =
    client ??
    new DynamoDBClient({
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.region === undefined ? {} : { region: options.region }),
      maxAttempts: options.maxAttempts ?? 3,
      requestHandler: {
        requestTimeout: options.requestTimeoutMs ?? DEFAULT_STORE_TIMEOUT_MS,
        // Since @smithy/node-http-handler 4 a request past `requestTimeout` is only logged unless this is set,
        // and keeps its socket: 50 stalled requests (the pool) and every later one waits. Before 4 (SDK 3.521.0)
        // the option does not exist and `requestTimeout` destroys the socket of a request gone quiet.
        throwOnRequestTimeout: true,
        connectionTimeout: 1_000,
      },
    });
  return DynamoDBDocumentClient.from(base);
}
