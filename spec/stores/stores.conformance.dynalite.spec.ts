// The one conformance suite that lambda-sessions/testing exports, run against every store this package ships.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBSessionStore, FileSessionStore, MemorySessionStore } from '../../src';
import { useSessionTable } from '../support/dynalite';
import { describeSessionStoreConformance } from '../../src/testing';

const local = useSessionTable();
const folder = mkdtempSync(join(tmpdir(), 'lambda-sessions-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describeSessionStoreConformance('MemorySessionStore', () => new MemorySessionStore());
describeSessionStoreConformance(
  'FileSessionStore',
  () => new FileSessionStore({ path: join(folder, 'sessions.json') }),
);
describeSessionStoreConformance(
  'DynamoDBSessionStore (dynalite)',
  () => new DynamoDBSessionStore({ tableName: local.tableName, client: local.dynamo.client }),
);
describeSessionStoreConformance(
  'DynamoDBSessionStore, everything compressed (dynalite)',
  () =>
    new DynamoDBSessionStore({ tableName: local.tableName, client: local.dynamo.client, compressAbove: 0 }),
);
