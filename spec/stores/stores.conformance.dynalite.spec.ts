import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBSessionStore, FileSessionStore, MemorySessionStore } from '../../src';
import { useSessionTable } from '../support/dynalite';
import { describeStoreConformance } from './conformance';

const local = useSessionTable();
const folder = mkdtempSync(join(tmpdir(), 'lambda-sessions-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describeStoreConformance('MemorySessionStore', () => new MemorySessionStore());
describeStoreConformance(
  'FileSessionStore',
  () => new FileSessionStore({ path: join(folder, 'sessions.json') }),
);
describeStoreConformance(
  'DynamoDBSessionStore (dynalite)',
  () => new DynamoDBSessionStore({ tableName: local.tableName, client: local.dynamo.client }),
);
describeStoreConformance(
  'DynamoDBSessionStore, everything compressed (dynalite)',
  () =>
    new DynamoDBSessionStore({ tableName: local.tableName, client: local.dynamo.client, compressAbove: 0 }),
);
