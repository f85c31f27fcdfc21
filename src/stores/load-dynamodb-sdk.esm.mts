/**
 * The ES module build's `load-dynamodb-sdk.ts` (scripts/build-esm.mjs puts it in that module's place): the SDK
 * module through `import()`, which esbuild's code splitting makes a chunk of its own. The library's chunks then
 * name no `@aws-sdk` package: an app on another store never loads the SDK, and a DynamoDB store starts loading
 * it when it is made and waits for it at its first request.
 */
import type * as DynamoDBSdk from './dynamodb-sdk.js';

/** A promise of the SDK module. */
export function loadDynamoDBSdk(): Promise<typeof DynamoDBSdk> {
  return import('./dynamodb-sdk.js');
}
