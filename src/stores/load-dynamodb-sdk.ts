/**
 * How the DynamoDB store gets the SDK: this module is the CommonJS build's, which requires it at once, when a
 * store is made (configureSessions() runs in the Lambda init phase): requiring the library does not load the
 * SDK. The ES module build replaces this module with `load-dynamodb-sdk.esm.mts` (scripts/build-esm.mjs), which
 * imports it: a static import would load the SDK with the library, and an ES module cannot require.
 */
import type * as DynamoDBSdk from './dynamodb-sdk';

/** The SDK module: the module itself, or (ES module build) a promise of it. */
export function loadDynamoDBSdk(): typeof DynamoDBSdk | Promise<typeof DynamoDBSdk> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./dynamodb-sdk') as typeof DynamoDBSdk;
}
