// The table CLI against dynalite in-process. dynalite does not implement UpdateTimeToLive, so the TTL
// request the CLI sends is checked as an SDK middleware sees it.
import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  type GlobalSecondaryIndex,
  type GlobalSecondaryIndexUpdate,
} from '@aws-sdk/client-dynamodb';
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type CliIo, runCli } from '../src/cli';
import {
  createSessionTable,
  guardedClient,
  type LocalDynamo,
  startDynalite,
  withLoopbackGuard,
} from './support/dynalite';
import { useEnvironmentWithoutAws } from './support/no-aws-env';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(() => dynamo.close());

interface Captured {
  printed: string[];
  errors: string[];
  sent: { command: string; input: Record<string, unknown> }[];
}

function io(answer?: string, env: Record<string, string> = {}): CliIo & Captured {
  const captured: Captured = { printed: [], errors: [], sent: [] };
  return Object.assign(captured, {
    out: (line: string) => void captured.printed.push(line),
    err: (line: string) => void captured.errors.push(line),
    ask: answer === undefined ? undefined : async () => answer,
    env,
    createClient: ({ endpoint }: { endpoint?: unknown }) => {
      expect(endpoint).toBe(dynamo.endpoint);
      const client: DynamoDBClient = guardedClient(dynamo.endpoint);
      client.middlewareStack.add(
        (next, context) => (args) => {
          captured.sent.push({
            command: String(context.commandName),
            input: args.input as Record<string, unknown>,
          });
          return next(args);
        },
        { step: 'initialize', name: 'record' },
      );
      return client;
    },
  }) as unknown as CliIo & Captured;
}

let n = 0;
const name = () => `cli-table-${++n}`;
const at = () => ['--endpoint', dynamo.endpoint];

const describe_ = async (table: string) =>
  (await dynamo.client.send(new DescribeTableCommand({ TableName: table }))).Table;
const byName = (a: AttributeDefinition, b: AttributeDefinition) =>
  String(a.AttributeName).localeCompare(String(b.AttributeName));

/** A table as this library's releases before the owner index created it: the partition key alone. */
async function tableWithoutOwnerIndex(extra: Partial<CreateTableCommandInput> = {}): Promise<string> {
  const table = name();
  await dynamo.client.send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      ...extra,
    }),
  );
  return table;
}

/**
 * What `check` printed after "Add it:", `aws dynamodb update-table ...`, applied: a copy of the table (`base`,
 * as {@link tableWithoutOwnerIndex} took it) created with the index the command adds, because dynalite's
 * UpdateTable does not create indexes. Returns the copy's name.
 */
async function withAddIndexCommand(
  printed: string,
  table: string,
  base: Partial<CreateTableCommandInput> = {},
): Promise<string> {
  const command =
    /Add it: aws dynamodb update-table --table-name (\S+) --attribute-definitions AttributeName=([^,\s]+),AttributeType=S --global-secondary-index-updates '([^']+)'/.exec(
      printed,
    );
  expect(command?.[1]).toBe(table);
  const [, , owner, updates] = command as unknown as [string, string, string, string];
  const [update, ...more] = JSON.parse(updates) as GlobalSecondaryIndexUpdate[];
  expect(more).toEqual([]);
  expect(Object.keys(update ?? {})).toEqual(['Create']);
  return tableWithoutOwnerIndex({
    ...base,
    AttributeDefinitions: [
      { AttributeName: 'key', AttributeType: 'S' },
      { AttributeName: owner, AttributeType: 'S' },
    ],
    GlobalSecondaryIndexes: [update?.Create as GlobalSecondaryIndex],
  });
}

describe('lambda-sessions create-table', () => {
  it('creates the table on-demand, waits until active, and asks for TTL on "ttl"', async () => {
    const table = name();
    const cli = io();
    expect(await runCli(['create-table', '--table', table, ...at()], cli)).toBe(0);

    const { Table } = await dynamo.client.send(new DescribeTableCommand({ TableName: table }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'key', KeyType: 'HASH' }]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    const ttl = cli.sent.find((s) => s.command === 'UpdateTimeToLiveCommand');
    expect(ttl?.input).toEqual({
      TableName: table,
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
    expect(cli.printed.join('\n')).toMatch(/does not implement UpdateTimeToLive.*TTL is not enabled/);
  });

  it('creates the owner index, laid out as in the tables the store specs run on', async () => {
    const table = name();
    expect(await runCli(['create-table', '--table', table, ...at()], io())).toBe(0);

    const created = await describe_(table);
    const reference = await describe_(await createSessionTable(dynamo.client));
    expect(created?.AttributeDefinitions?.sort(byName)).toEqual(
      reference?.AttributeDefinitions?.sort(byName),
    );
    const layout = (t: typeof created) =>
      t?.GlobalSecondaryIndexes?.map(({ IndexName, KeySchema, Projection }) => ({
        IndexName,
        KeySchema,
        Projection,
      }));
    expect(layout(created)).toEqual(layout(reference));
    expect(layout(created)).toEqual([
      {
        IndexName: 'owner-index',
        KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }],
        Projection: {
          ProjectionType: 'INCLUDE',
          NonKeyAttributes: ['createdAt', 'updatedAt', 'ttl', 'ownerEpoch', 'label'],
        },
      },
    ]);
    expect(created?.GlobalSecondaryIndexes?.[0]?.IndexStatus).toBe('ACTIVE');
  });

  it('names the index and its attributes as the store is configured (--owner-index, --attribute)', async () => {
    const table = name();
    const flags = [
      ...['--ttl-attribute', 'expires', '--owner-index', 'by-user'],
      ...['--attribute', 'owner=user', '--attribute', 'label=device', '--attribute', 'createdAt=born'],
    ];
    expect(await runCli(['create-table', '--table', table, ...flags, ...at()], io())).toBe(0);

    const created = await describe_(table);
    expect(created?.AttributeDefinitions).toContainEqual({ AttributeName: 'user', AttributeType: 'S' });
    expect(created?.GlobalSecondaryIndexes?.[0]).toMatchObject({
      IndexName: 'by-user',
      KeySchema: [{ AttributeName: 'user', KeyType: 'HASH' }],
      Projection: { NonKeyAttributes: ['born', 'updatedAt', 'expires', 'ownerEpoch', 'device'] },
    });
    const cli = io();
    expect(await runCli(['check', '--table', table, ...flags, ...at()], cli)).toBe(0);
    expect(cli.printed.join('\n')).toMatch(/✓ Owner index "by-user": partition key "user" \(S\)/);
  });

  it('takes the table from the environment and the attribute names from flags', async () => {
    const table = name();
    const cli = io(undefined, { SESSION_LAMBDA_DYNAMODB_TABLE_NAME: table });
    expect(
      await runCli(['create-table', '--key-attribute', 'pk', '--ttl-attribute', 'expires', ...at()], cli),
    ).toBe(0);
    const { Table } = await dynamo.client.send(new DescribeTableCommand({ TableName: table }));
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(cli.sent.find((s) => s.command === 'UpdateTimeToLiveCommand')?.input).toMatchObject({
      TimeToLiveSpecification: { AttributeName: 'expires', Enabled: true },
    });
  });

  it('is safe to run twice', async () => {
    const table = name();
    await runCli(['create-table', '--table', table, ...at()], io());
    const again = io();
    expect(await runCli(['create-table', '--table', table, ...at()], again)).toBe(0);
    expect(again.printed.join('\n')).toMatch(/exists already/);
  });
});

describe('lambda-sessions check', () => {
  it('passes a table it created, and says plainly that TTL is off', async () => {
    const table = name();
    await runCli(['create-table', '--table', table, ...at()], io());
    const cli = io();
    expect(await runCli(['check', '--table', table, ...at()], cli)).toBe(0);
    expect(cli.printed.join('\n')).toMatch(/✓ Table .*partition key "key" \(S\)/);
    expect(cli.printed.join('\n')).toMatch(/TTL is DISABLED.*update-time-to-live/);
    expect(cli.printed.join('\n')).toMatch(
      /✓ Owner index "owner-index": partition key "owner" \(S\), projects createdAt, updatedAt, ttl, ownerEpoch, label, status ACTIVE\. Owners need dynamodb:BatchGetItem on the table and dynamodb:Query on its index/,
    );
  });

  it('passes a table without the owner index, warning with the command that adds it and the actions owners need', async () => {
    const table = await tableWithoutOwnerIndex();
    const cli = io();
    expect(await runCli(['check', '--table', table, ...at()], cli)).toBe(0);
    expect(cli.errors).toEqual([]);
    const warning = cli.printed.find((line) => line.startsWith('! No owner index'));
    expect(warning).toMatch(
      /regenerate\(\{ owner \}\), listSessions\) need it; everything else works without it/,
    );
    expect(warning).toMatch(/lambda-sessions create-table/);
    expect(warning).toMatch(
      new RegExp(
        `dynamodb:BatchGetItem on the table and dynamodb:Query on its index \\(${table}/index/owner-index\\)`,
      ),
    );
    expect(warning).not.toMatch(/ProvisionedThroughput/);

    const added = await withAddIndexCommand(String(warning), table);
    const after = io();
    expect(await runCli(['check', '--table', added, ...at()], after)).toBe(0);
    expect(after.printed.join('\n')).toMatch(/✓ Owner index "owner-index"/);
  });

  it("gives a provisioned table's command the table's capacity for the index", async () => {
    const provisioned: Partial<CreateTableCommandInput> = {
      BillingMode: 'PROVISIONED',
      ProvisionedThroughput: { ReadCapacityUnits: 3, WriteCapacityUnits: 2 },
    };
    const table = await tableWithoutOwnerIndex(provisioned);
    const cli = io();
    expect(await runCli(['check', '--table', table, ...at()], cli)).toBe(0);
    const warning = String(cli.printed.find((line) => line.startsWith('! No owner index')));
    expect(warning).toMatch(/"ProvisionedThroughput":\{"ReadCapacityUnits":3,"WriteCapacityUnits":2\}/);

    const added = await withAddIndexCommand(warning, table, provisioned);
    expect(await runCli(['check', '--table', added, ...at()], io())).toBe(0);
    expect((await describe_(added))?.GlobalSecondaryIndexes?.[0]?.ProvisionedThroughput).toMatchObject({
      ReadCapacityUnits: 3,
      WriteCapacityUnits: 2,
    });
  });

  it.each([
    [
      'projects only the keys',
      {
        AttributeType: 'S',
        KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
      /✗ Index "owner-index" does not project "createdAt", "updatedAt", "ttl", "ownerEpoch", "label"/,
    ],
    [
      'leaves out the label',
      {
        AttributeType: 'S',
        KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }],
        Projection: {
          ProjectionType: 'INCLUDE',
          NonKeyAttributes: ['createdAt', 'updatedAt', 'ttl', 'ownerEpoch'],
        },
      },
      /✗ Index "owner-index" does not project "label"/,
    ],
    [
      'has a numeric owner',
      {
        AttributeType: 'N',
        KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
      },
      /✗ Index "owner-index" has the key owner \(HASH\) of type N; listSessions needs one string partition key "owner"/,
    ],
    [
      'has a sort key',
      {
        AttributeType: 'S',
        KeySchema: [
          { AttributeName: 'owner', KeyType: 'HASH' },
          { AttributeName: 'key', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      /✗ Index "owner-index" has the key owner \(HASH\), key \(RANGE\) of type S; .*no sort key/,
    ],
  ] as const)('fails on an owner index that %s, saying what to change', async (_case, index, message) => {
    const table = await tableWithoutOwnerIndex({
      AttributeDefinitions: [
        { AttributeName: 'key', AttributeType: 'S' },
        { AttributeName: 'owner', AttributeType: index.AttributeType },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'owner-index',
          KeySchema: [...index.KeySchema],
          Projection: { ...index.Projection },
        } as never,
      ],
    });
    const cli = io();
    expect(await runCli(['check', '--table', table, ...at()], cli)).toBe(1);
    expect(cli.errors.join('\n')).toMatch(message);
  });

  it('accepts an owner index that projects every attribute', async () => {
    const table = await tableWithoutOwnerIndex({
      AttributeDefinitions: [
        { AttributeName: 'key', AttributeType: 'S' },
        { AttributeName: 'owner', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'owner-index',
          KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
    const cli = io();
    expect(await runCli(['check', '--table', table, ...at()], cli)).toBe(0);
    expect(cli.printed.join('\n')).toMatch(/✓ Owner index "owner-index"/);
  });

  it('fails on a missing table, saying how to create it', async () => {
    const cli = io();
    expect(await runCli(['check', '--table', 'no-such-table', ...at()], cli)).toBe(1);
    expect(cli.errors.join('\n')).toMatch(
      /does not exist: run lambda-sessions create-table --table no-such-table/,
    );
  });

  it('fails on a key schema the library cannot use, saying what to change', async () => {
    const table = name();
    await dynamo.client.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [
          { AttributeName: 'id', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'id', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const cli = io();
    expect(await runCli(['check', '--table', table, ...at()], cli)).toBe(1);
    expect(cli.errors.join('\n')).toMatch(/Key schema is id \(HASH\), sk \(RANGE\).*no sort key/);
  });
});

describe('lambda-sessions delete-table', () => {
  it('refuses without a terminal to ask and without --yes', async () => {
    const table = name();
    await runCli(['create-table', '--table', table, ...at()], io());
    const cli = io();
    expect(await runCli(['delete-table', '--table', table, ...at()], cli)).toBe(1);
    expect(cli.errors.join('\n')).toMatch(/Pass --yes/);
    expect(cli.sent.map((s) => s.command)).toEqual([]);
  });

  it('deletes only when the table name is typed back, or with --yes', async () => {
    const table = name();
    await runCli(['create-table', '--table', table, ...at()], io());
    expect(await runCli(['delete-table', '--table', table, ...at()], io('yes'))).toBe(1);
    expect(await runCli(['check', '--table', table, ...at()], io())).toBe(0);
    expect(await runCli(['delete-table', '--table', table, ...at()], io(table))).toBe(0);
    expect(await runCli(['check', '--table', table, ...at()], io())).toBe(1);

    const other = name();
    await runCli(['create-table', '--table', other, ...at()], io());
    expect(await runCli(['delete-table', '--table', other, '--yes', ...at()], io())).toBe(0);
  });
});

describe('the command line itself', () => {
  it.each([
    [['--help'], 0, /Usage: lambda-sessions <command>/],
    [['create-table', '--help'], 0, /create-table +create the sessions table/],
    [[], 2, /Usage/],
    [['check'], 2, /No table: pass --table <name> or set SESSION_LAMBDA_DYNAMODB_TABLE_NAME/],
    [['frobnicate', '--table', 'x'], 2, /Unknown command "frobnicate"/],
    [['check', '--tabel', 'x'], 2, /Unknown option '--tabel'/],
    [['create-table', '--table', 'x', '--timeout', '0'], 2, /--timeout takes a number of seconds above 0/],
    [['check', '--table', 'x', '--timeout', 'soon'], 2, /--timeout takes a number of seconds above 0/],
    [['check', '--table', 'x', '--attribute', 'owner'], 2, /--attribute takes <field>=<name>.*got "owner"/],
    [['check', '--table', 'x', '--attribute', 'onwer=user'], 2, /the field one of key, value, ttl, .*owner/],
  ])('%j exits %i', async (args, code, message) => {
    const cli = io();
    expect(await runCli(args as string[], cli)).toBe(code);
    expect([...cli.printed, ...cli.errors].join('\n')).toMatch(message);
  });
});

describe('on a machine without AWS configuration, against a local endpoint', () => {
  const scrubbed = useEnvironmentWithoutAws();
  /** The CLI with the SDK's own client, so region and credentials come from the (scrubbed) environment. */
  const sdkIo = (): CliIo & Captured =>
    Object.assign(io(), {
      createClient: (config: DynamoDBClientConfig) => withLoopbackGuard(new DynamoDBClient(config)),
    });

  it('says to pass --region when the SDK finds no region', async () => {
    const cli = sdkIo();
    expect(await runCli(['check', '--table', name(), ...at()], cli)).toBe(1);
    expect(cli.errors).toEqual([
      'Error: Region is missing',
      'The AWS SDK found no region: pass --region <region> or set AWS_REGION; a local endpoint takes any region (--region local).',
    ]);
  });

  it('says to set dummy credentials when the SDK finds none', async () => {
    const cli = sdkIo();
    expect(await runCli(['check', '--table', name(), ...at(), '--region', 'local'], cli)).toBe(1);
    expect(cli.errors[0]).toBe('CredentialsProviderError: Could not load credentials from any providers');
    expect(cli.errors[1]).toMatch(
      /^The AWS SDK found no credentials: against a local endpoint .* set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to any letters and digits/,
    );
  });

  it('works with what the messages say to set', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'local';
    process.env.AWS_SECRET_ACCESS_KEY = 'local';
    const table = name();
    const cli = sdkIo();
    expect(await runCli(['create-table', '--table', table, ...at(), '--region', 'local'], cli)).toBe(0);
    expect(cli.errors).toEqual([]);
    expect(
      (await dynamo.client.send(new DescribeTableCommand({ TableName: table }))).Table?.TableStatus,
    ).toBe('ACTIVE');
  });

  describe('bin/lambda-sessions.js, in its own process', () => {
    const ROOT = join(__dirname, '..');
    // Laid out as in the package (bin/ beside dist/cjs/), inside the repository so @aws-sdk/* resolves.
    const OUT = join(ROOT, 'build', 'cli-bin');
    const run = promisify(execFile);
    beforeAll(async () => {
      mkdirSync(join(OUT, 'bin'), { recursive: true });
      copyFileSync(join(ROOT, 'bin', 'lambda-sessions.js'), join(OUT, 'bin', 'lambda-sessions.js'));
      await build({
        entryPoints: [join(ROOT, 'src', 'cli.ts')],
        outfile: join(OUT, 'dist', 'cjs', 'cli.js'),
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        external: ['@aws-sdk/*'],
        logLevel: 'silent',
      });
    });
    const exec = (args: string[], env: Record<string, string>) =>
      run(process.execPath, args, { env }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );

    it('prints what to set, and no AWS SDK Node.js version warning', async () => {
      const bin = join(OUT, 'bin', 'lambda-sessions.js');
      const noRegion = await exec([bin, 'check', '--table', 't', ...at()], scrubbed.env);
      expect(noRegion.code).toBe(1);
      expect(noRegion.stderr).toBe(
        'Error: Region is missing\nThe AWS SDK found no region: pass --region <region> or set AWS_REGION; a ' +
          'local endpoint takes any region (--region local).\n',
      );

      const noCredentials = await exec(
        [bin, 'check', '--table', 't', ...at(), '--region', 'local'],
        scrubbed.env,
      );
      expect(noCredentials.code).toBe(1);
      expect(noCredentials.stderr).toMatch(
        /^CredentialsProviderError: .*\nThe AWS SDK found no credentials: /,
      );

      const local = { ...scrubbed.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };
      const ok = await exec([bin, 'create-table', '--table', name(), ...at(), '--region', 'local'], local);
      expect(ok).toMatchObject({ code: 0, stderr: '' });
      expect(ok.stdout).toMatch(/is active/);
    });

    it('is what silences the warning: the same CLI without the bin script warns on Node.js 20', async () => {
      const cli = join(OUT, 'dist', 'cjs', 'cli.js');
      const script = `require(${JSON.stringify(cli)}).runCli(process.argv.slice(1)).then((c) => { process.exitCode = c; })`;
      const direct = await exec(['-e', script, 'check', '--table', 't', ...at()], scrubbed.env);
      expect(direct.code).toBe(1);
      // The SDK warns below Node.js 22 only; the machine and CI run Node.js 20.
      const major = Number(process.versions.node.split('.')[0]);
      expect(/NodeVersionSupportWarning/.test(direct.stderr)).toBe(major < 22);
    });
  });
});
