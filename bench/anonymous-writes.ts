// Items written per 1,000 anonymous requests (no id, a malformed id, an unknown well-formed id, an unknown
// cookie), with each saveUninitialized setting, against dynalite in this process. The handler reads the
// session and sets nothing, as a public page or a bot's request does.
// Run: npx tsc -p tsconfig.samples.json && node build/bench/anonymous-writes.js [requests]
import 'reflect-metadata';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { configureSessions, type SessionOptions, withSession } from '../src';
import { guardedClient } from './local-dynamo';

const requests = Number(process.argv[2] ?? 1000);

const EVENTS: Record<string, () => unknown> = {
  'no id': () => ({ version: '2.0', headers: {} }),
  'malformed id': () => ({ version: '2.0', headers: { 'session-id': 'garbage; DROP TABLE' } }),
  'unknown well-formed id': () => ({ version: '2.0', headers: { 'session-id': 'A'.repeat(43) } }),
  'unknown cookie': () => ({ version: '2.0', headers: {}, cookies: [`session-id=${'B'.repeat(43)}`] }),
};

const SETTINGS: Record<string, SessionOptions> = {
  'header, default (saveUninitialized: true)': {},
  'header, saveUninitialized: true': { saveUninitialized: true },
  'header, saveUninitialized: false': { saveUninitialized: false },
  'cookie, default (saveUninitialized: false)': { cookie: true },
  'cookie, saveUninitialized: true': { cookie: true, saveUninitialized: true },
};

async function main(): Promise<void> {
  const dynamo = await guardedClient();
  try {
    console.log(`items written per ${requests} anonymous requests (dynalite, Node ${process.version})`);
    console.log(['setting', ...Object.keys(EVENTS)].join(' | '));
    for (const [setting, options] of Object.entries(SETTINGS)) {
      const row: number[] = [];
      for (const event of Object.values(EVENTS)) {
        const tableName = await dynamo.createTable();
        configureSessions({ tableName, client: dynamo.client });
        const page = withSession(async (_event: unknown) => ({ statusCode: 200, body: 'hello' }), options);
        for (let i = 0; i < requests; i++) await page(event());
        const { Count } = await dynamo.client.send(
          new ScanCommand({ TableName: tableName, Select: 'COUNT' }),
        );
        row.push(Count ?? 0);
      }
      console.log([setting, ...row].join(' | '));
    }
  } finally {
    await dynamo.close();
  }
}

void main();
