/**
 * The `lambda-sessions` command: create, delete and check the sessions table, so that nothing creates or
 * describes tables at runtime; and make a server secret (`idSecret`). `lambda-sessions --help` lists the commands.
 */
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  type TableDescription,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { TABLE_NAME_ENV } from './constants';
import { generateSecret } from './secret';
import { type AttributeNames, DEFAULT_ATTRIBUTE_NAMES } from './stores/dynamodb-item';
import {
  DEFAULT_OWNER_INDEX_NAME,
  ownerIndex,
  ownerIndexProjection,
  sessionTableInput,
} from './stores/dynamodb-table';
import { LOCAL_CREDENTIALS_ADVICE, type MissingSdkSetting, missingSdkSetting } from './stores/sdk-setup';

/** Where the command reads and writes, and how it builds its client; tests pass their own. */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Answers a yes/no question; `undefined` when there is no one to ask (not a terminal). */
  readonly ask: ((question: string) => Promise<string>) | undefined;
  readonly env: Record<string, string | undefined>;
  readonly createClient: (config: DynamoDBClientConfig) => DynamoDBClient;
}

const USAGE = `Usage: lambda-sessions <command> [options]

Commands:
  create-table   create the sessions table (on-demand, with the owner index), wait until it is active, and
                 enable TTL
  delete-table   delete the sessions table (asks first unless --yes)
  check          check that the table exists with the key schema, TTL and owner index the library expects
  secret         print a fresh idSecret: 32 random bytes as base64url (store it in Secrets Manager or SSM)

Options:
  --table <name>          the table (default: $${TABLE_NAME_ENV})
  --key-attribute <name>  the partition key attribute (default: ${DEFAULT_ATTRIBUTE_NAMES.key})
  --ttl-attribute <name>  the TTL attribute (default: ${DEFAULT_ATTRIBUTE_NAMES.ttl})
  --attribute <field>=<name>
                          any other attributeNames field, as configured (repeatable): --attribute owner=user
  --owner-index <name>    the owner index, as ownerIndexName (default: ${DEFAULT_OWNER_INDEX_NAME})
  --endpoint <url>        a DynamoDB endpoint (DynamoDB Local, dynalite)
  --region <region>       the AWS region (default: the SDK's, from AWS_REGION or the profile)
  --yes                   delete-table: do not ask
  --timeout <seconds>     how long to wait for the table to become active or gone (default: 300)
  -h, --help              this text

Against --endpoint (DynamoDB Local, dynalite) the AWS SDK still needs a region and credentials, of any value:
  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local lambda-sessions check --table sessions --endpoint http://localhost:8000 --region local
`;

const COMMANDS = ['create-table', 'delete-table', 'check', 'secret'];

const OPTIONS = {
  table: { type: 'string' },
  'key-attribute': { type: 'string' },
  'ttl-attribute': { type: 'string' },
  attribute: { type: 'string', multiple: true },
  'owner-index': { type: 'string' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
  yes: { type: 'boolean' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs the command line `args` (without `node` and the script) and returns the exit code. */
export async function runCli(args: string[], io: CliIo = processIo()): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || !command) {
    (values.help ? io.out : io.err)(USAGE);
    return values.help ? 0 : 2;
  }
  if (!COMMANDS.includes(command)) {
    io.err(`Unknown command "${command}".\n\n${USAGE}`);
    return 2;
  }
  if (command === 'secret') {
    // Only the secret on stdout, so that it can be piped: `lambda-sessions secret | aws ssm put-parameter ...`
    io.out(generateSecret());
    return 0;
  }
  const table = values.table ?? io.env[TABLE_NAME_ENV];
  if (!table) {
    io.err(`No table: pass --table <name> or set ${TABLE_NAME_ENV}.`);
    return 2;
  }
  const timeout = Number(values.timeout ?? 300);
  if (!(timeout > 0)) {
    io.err('--timeout takes a number of seconds above 0.');
    return 2;
  }
  const names: Record<string, string> = { ...DEFAULT_ATTRIBUTE_NAMES };
  for (const pair of values.attribute ?? []) {
    const [, field, name] = /^([^=]+)=(.+)$/.exec(pair) ?? [];
    if (!field || !name || !(field in DEFAULT_ATTRIBUTE_NAMES)) {
      io.err(
        `--attribute takes <field>=<name>, the field one of ${Object.keys(DEFAULT_ATTRIBUTE_NAMES).join(', ')}; ` +
          `got "${pair}".`,
      );
      return 2;
    }
    names[field] = name;
  }
  if (values['key-attribute']) names.key = values['key-attribute'];
  if (values['ttl-attribute']) names.ttl = values['ttl-attribute'];
  const settings: Settings = {
    table,
    names: names as unknown as AttributeNames,
    ownerIndex: values['owner-index'] ?? DEFAULT_OWNER_INDEX_NAME,
    timeout,
  };
  const client = io.createClient({
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
    ...(values.region ? { region: values.region } : {}),
  });
  try {
    switch (command) {
      case 'create-table':
        return await createTable(client, settings, io);
      case 'delete-table':
        return await deleteTable(client, settings, io, values.yes ?? false);
      default:
        return await check(client, settings, io);
    }
  } catch (error) {
    io.err(`${(error as Error).name}: ${(error as Error).message}`);
    const missing = missingSdkSetting(error);
    if (missing) io.err(setupAdvice(missing, values.endpoint !== undefined));
    return 1;
  } finally {
    client.destroy();
  }
}

interface Settings {
  readonly table: string;
  readonly names: AttributeNames;
  readonly ownerIndex: string;
  readonly timeout: number;
}

async function createTable(client: DynamoDBClient, s: Settings, io: CliIo): Promise<number> {
  try {
    await client.send(new CreateTableCommand(sessionTableInput(s.table, s.names, s.ownerIndex)));
    io.out(
      `Creating table ${s.table} (partition key "${s.names.key}", owner index "${s.ownerIndex}", on-demand)...`,
    );
  } catch (error) {
    if ((error as Error).name !== 'ResourceInUseException') throw error;
    io.out(
      `Table ${s.table} exists already; checking that it is active (it is not changed: lambda-sessions check ` +
        'says whether it has the owner index).',
    );
  }
  await waitUntilTableExists({ client, maxWaitTime: s.timeout }, { TableName: s.table });
  io.out(`Table ${s.table} is active.`);
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: s.table,
        TimeToLiveSpecification: { AttributeName: s.names.ttl, Enabled: true },
      }),
    );
    io.out(
      `TTL enabled on "${s.names.ttl}": DynamoDB deletes expired sessions (within days; the library checks expiry on every read).`,
    );
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'UnknownOperationException') {
      io.out(
        `This endpoint does not implement UpdateTimeToLive (dynalite does not): TTL is not enabled. Sessions ` +
          'still expire on read; on AWS, TTL would also delete them.',
      );
    } else if (name === 'ValidationException' && /already enabled/i.test((error as Error).message)) {
      io.out(`TTL was already enabled on "${s.names.ttl}".`);
    } else {
      throw error;
    }
  }
  return 0;
}

async function deleteTable(client: DynamoDBClient, s: Settings, io: CliIo, yes: boolean): Promise<number> {
  if (!yes) {
    if (!io.ask) {
      io.err(`Refusing to delete ${s.table} without confirmation: no terminal to ask. Pass --yes.`);
      return 1;
    }
    const answer = await io.ask(
      `Delete table ${s.table} and every session in it? Type the table name to confirm: `,
    );
    if (answer.trim() !== s.table) {
      io.out('Not deleted.');
      return 1;
    }
  }
  await client.send(new DeleteTableCommand({ TableName: s.table }));
  await waitUntilTableNotExists({ client, maxWaitTime: s.timeout }, { TableName: s.table });
  io.out(`Table ${s.table} deleted.`);
  return 0;
}

async function check(client: DynamoDBClient, s: Settings, io: CliIo): Promise<number> {
  let table;
  try {
    ({ Table: table } = await client.send(new DescribeTableCommand({ TableName: s.table })));
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    io.err(`✗ Table ${s.table} does not exist: run lambda-sessions create-table --table ${s.table}`);
    return 1;
  }
  const problems: string[] = [];
  const schema = table?.KeySchema ?? [];
  const hash = schema.find((k) => k.KeyType === 'HASH');
  const type = table?.AttributeDefinitions?.find(
    (a) => a.AttributeName === hash?.AttributeName,
  )?.AttributeType;
  if (schema.length !== 1 || hash?.AttributeName !== s.names.key || type !== 'S') {
    problems.push(
      `✗ Key schema is ${schema.map((k) => `${k.AttributeName} (${k.KeyType})`).join(', ')}; the library needs one ` +
        `string partition key "${s.names.key}" and no sort key. Create a new table, or set attributeNames.key (and ` +
        '--key-attribute) to the existing key.',
    );
  } else {
    io.out(
      `✓ Table ${s.table}: partition key "${s.names.key}" (S), status ${table?.TableStatus ?? 'unknown'}.`,
    );
  }
  const { TimeToLiveDescription: ttl } = await client.send(
    new DescribeTimeToLiveCommand({ TableName: s.table }),
  );
  if (ttl?.TimeToLiveStatus === 'ENABLED' || ttl?.TimeToLiveStatus === 'ENABLING') {
    if (ttl.AttributeName === s.names.ttl)
      io.out(`✓ TTL ${ttl.TimeToLiveStatus.toLowerCase()} on "${s.names.ttl}".`);
    else
      problems.push(
        `✗ TTL is on "${ttl.AttributeName}", the library writes "${s.names.ttl}": set attributeNames.ttl to match.`,
      );
  } else {
    io.out(
      `! TTL is ${ttl?.TimeToLiveStatus ?? 'unknown'}: expired sessions are refused on read but never deleted. Enable ` +
        `it: aws dynamodb update-time-to-live --table-name ${s.table} --time-to-live-specification ` +
        `Enabled=true,AttributeName=${s.names.ttl} (dynalite always reports DISABLED).`,
    );
  }
  checkOwnerIndex(table, s, io, problems);
  for (const problem of problems) io.err(problem);
  return problems.length ? 1 : 0;
}

/** The actions sessions that belong to a user need besides the four item operations. */
const OWNER_ACTIONS = 'dynamodb:BatchGetItem on the table and dynamodb:Query on its index';

/**
 * The owner index: right (✓), unusable (✗: `listSessions()` would fail or list nothing), or absent (`!`: only
 * sessions that belong to a user need it, so a table without it works for everything else).
 */
function checkOwnerIndex(
  table: TableDescription | undefined,
  s: Settings,
  io: CliIo,
  problems: string[],
): void {
  const index = table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === s.ownerIndex);
  const owner = s.names.owner;
  const needed = ownerIndexProjection(s.names);
  if (!index) {
    io.out(
      `! No owner index "${s.ownerIndex}": sessions that belong to a user (regenerate({ owner }), listSessions) ` +
        `need it; everything else works without it. Add it: ${addIndexCommand(table, s)} (or create a new ` +
        `table with lambda-sessions create-table, which includes it). Those sessions also need ${OWNER_ACTIONS} ` +
        `(${s.table}/index/${s.ownerIndex}).`,
    );
    return;
  }
  const schema = index.KeySchema ?? [];
  const type = table?.AttributeDefinitions?.find((a) => a.AttributeName === owner)?.AttributeType;
  const projection = index.Projection;
  const projected = projection?.ProjectionType === 'INCLUDE' ? (projection.NonKeyAttributes ?? []) : [];
  const missing =
    projection?.ProjectionType === 'ALL' ? [] : needed.filter((name) => !projected.includes(name));
  const keyOk = schema.length === 1 && schema[0]?.KeyType === 'HASH' && schema[0].AttributeName === owner;
  if (!keyOk || type !== 'S') {
    problems.push(
      `✗ Index "${s.ownerIndex}" has the key ${schema.map((k) => `${k.AttributeName} (${k.KeyType})`).join(', ')}` +
        `${type ? ` of type ${type}` : ''}; listSessions needs one string partition key "${owner}" and no sort ` +
        'key. Delete the index and add it again (lambda-sessions check says how, once it is gone), or set ' +
        'ownerIndexName (and --owner-index) to another index.',
    );
  } else if (missing.length) {
    problems.push(
      `✗ Index "${s.ownerIndex}" does not project ${missing.map((m) => `"${m}"`).join(', ')}: listSessions ` +
        `would leave those sessions out. It needs INCLUDE ${needed.join(', ')} (or ALL); a projection cannot be ` +
        'changed: delete the index and add it again (lambda-sessions check says how, once it is gone).',
    );
  } else {
    io.out(
      `✓ Owner index "${s.ownerIndex}": partition key "${owner}" (S), projects ${needed.join(', ')}, status ` +
        `${index.IndexStatus ?? 'unknown'}. Owners need ${OWNER_ACTIONS}.`,
    );
  }
}

/** The `aws dynamodb update-table` command that adds the owner index, with capacity if the table has some. */
function addIndexCommand(table: TableDescription | undefined, s: Settings): string {
  const { ReadCapacityUnits: read, WriteCapacityUnits: write } = table?.ProvisionedThroughput ?? {};
  const provisioned = table?.BillingModeSummary?.BillingMode !== 'PAY_PER_REQUEST' && !!read && !!write;
  const create = {
    ...ownerIndex(s.names, s.ownerIndex),
    ...(provisioned ? { ProvisionedThroughput: { ReadCapacityUnits: read, WriteCapacityUnits: write } } : {}),
  };
  return (
    `aws dynamodb update-table --table-name ${s.table} --attribute-definitions ` +
    `AttributeName=${s.names.owner},AttributeType=S --global-secondary-index-updates ` +
    `'${JSON.stringify([{ Create: create }])}'`
  );
}

/** What to set when the SDK found no region or no credentials: the usual first run against a local endpoint. */
function setupAdvice(missing: MissingSdkSetting, local: boolean): string {
  if (missing === 'region') {
    return (
      'The AWS SDK found no region: pass --region <region> or set AWS_REGION' +
      (local ? '; a local endpoint takes any region (--region local).' : '.')
    );
  }
  const aws = 'for AWS, configure credentials as for the AWS CLI (aws configure, AWS_PROFILE)';
  return local
    ? `The AWS SDK found no credentials: ${LOCAL_CREDENTIALS_ADVICE}.`
    : `The AWS SDK found no credentials: ${aws}; ${LOCAL_CREDENTIALS_ADVICE}.`;
}

function processIo(): CliIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    ask: process.stdin.isTTY
      ? async (question) => {
          const rl = createInterface({ input: process.stdin, output: process.stdout });
          try {
            return await rl.question(question);
          } finally {
            rl.close();
          }
        }
      : undefined,
    env: process.env,
    createClient: (config) => new DynamoDBClient(config),
  };
}
