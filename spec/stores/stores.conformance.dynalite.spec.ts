// The one conformance suite that lambda-sessions/testing exports, run against every store this package ships;
// the DynamoDB store on dynalite, or on moto_server with DYNAMO_BACKEND=moto (npm run test:moto).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBSessionStore, FileSessionStore, MemorySessionStore } from '../../src';
import { useSessionTable } from '../support/dynalite';
import { dynamoBackend, startDynamoBackend } from '../support/dynamo-backend';
import { describeOwnerIndexConformance, describeSessionStoreConformance } from '../../src/testing';

const local = useSessionTable(startDynamoBackend);
const folder = mkdtempSync(join(tmpdir(), 'lambda-sessions-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describeSessionStoreConformance('MemorySessionStore', () => new MemorySessionStore());
describeSessionStoreConformance(
  'FileSessionStore',
  () => new FileSessionStore({ path: join(folder, 'sessions.json') }),
);
describeSessionStoreConformance(
  `DynamoDBSessionStore (${dynamoBackend})`,
  () => new DynamoDBSessionStore({ tableName: local.tableName, client: local.dynamo.client }),
);
describeSessionStoreConformance(
  `DynamoDBSessionStore, everything compressed (${dynamoBackend})`,
  () =>
    new DynamoDBSessionStore({ tableName: local.tableName, client: local.dynamo.client, compressAbove: 0 }),
);
describeOwnerIndexConformance('MemorySessionStore', () => new MemorySessionStore());
describeOwnerIndexConformance(
  'FileSessionStore',
  () => new FileSessionStore({ path: join(folder, 'owners.json') }),
);
describeOwnerIndexConformance(
  `DynamoDBSessionStore (${dynamoBackend})`,
  () => new DynamoDBSessionStore({ tableName: local.tableName, client: local.dynamo.client }),
);
