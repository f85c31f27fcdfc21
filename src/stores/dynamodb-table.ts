/**
 * The sessions table's layout, as the `lambda-sessions` command creates and checks it (and `npm start`'s sample
 * creates it): one string partition key, and the owner index. The library itself never creates tables.
 */
import { type CreateTableCommandInput, type GlobalSecondaryIndex } from '@aws-sdk/client-dynamodb';
import { type AttributeNames } from './dynamodb-item';

/** The owner index's name unless `ownerIndexName` says otherwise. */
export const DEFAULT_OWNER_INDEX_NAME = 'owner-index';

/**
 * The attributes the owner index projects besides the keys: what a session summary of `listSessions()` is made
 * of. Nothing else (no data), so the index stays small.
 */
export function ownerIndexProjection(names: AttributeNames): string[] {
  return [names.createdAt, names.updatedAt, names.ttl, names.ownerEpoch, names.label];
}

/**
 * The owner index: a sparse global secondary index on the owner attribute (only sessions bound to an owner
 * carry it; owners' epoch items do not).
 */
export function ownerIndex(names: AttributeNames, indexName: string): GlobalSecondaryIndex {
  return {
    IndexName: indexName,
    KeySchema: [{ AttributeName: names.owner, KeyType: 'HASH' }],
    Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ownerIndexProjection(names) },
  };
}

/** The whole table, on-demand: the partition key and the owner index (TTL is a separate request). */
export function sessionTableInput(
  tableName: string,
  names: AttributeNames,
  indexName: string,
): CreateTableCommandInput {
  return {
    TableName: tableName,
    KeySchema: [{ AttributeName: names.key, KeyType: 'HASH' }],
    AttributeDefinitions: [
      { AttributeName: names.key, AttributeType: 'S' },
      { AttributeName: names.owner, AttributeType: 'S' },
    ],
    GlobalSecondaryIndexes: [ownerIndex(names, indexName)],
    BillingMode: 'PAY_PER_REQUEST',
  };
}
