// `sam validate` needs the AWS SAM CLI, which this machine cannot install: the template's structure is
// checked here instead, against what the library and the sample need.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, type Tags } from 'yaml';
import { DEFAULT_ATTRIBUTE_NAMES } from '../../src/stores/dynamodb-item';
import { DEFAULT_OWNER_INDEX_NAME, sessionTableInput } from '../../src/stores/dynamodb-table';

const SAMPLES = join(__dirname, '..', '..', 'samples');

/** CloudFormation's short intrinsic functions, read as their long form. */
const intrinsics: Tags = ['Ref', 'GetAtt', 'Sub'].map((name) => ({
  tag: `!${name}`,
  resolve: (value: string) => ({
    [name === 'Ref' ? 'Ref' : `Fn::${name}`]: name === 'GetAtt' ? value.split('.') : value,
  }),
}));

type Node = Record<string, unknown>;
const template = parseDocument(readFileSync(join(SAMPLES, 'template.yaml'), 'utf8'), {
  customTags: intrinsics,
}).toJS() as Node;
const resources = template.Resources as Record<
  string,
  { Type: string; Properties: Node; Metadata?: Node; DeletionPolicy?: string; UpdateReplacePolicy?: string }
>;

describe('samples/template.yaml', () => {
  const table = resources.SessionsTable!;
  const fn = resources.CartFunction!;

  it('is a SAM template', () => {
    expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
    expect(template.Transform).toBe('AWS::Serverless-2016-10-31');
  });

  it('has the sessions table the library expects: string key "key", on-demand, TTL on "ttl"', () => {
    expect(table.Type).toBe('AWS::DynamoDB::Table');
    expect(table.Properties.KeySchema).toEqual([{ AttributeName: 'key', KeyType: 'HASH' }]);
    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
  });

  it('has the owner index, as lambda-sessions create-table makes it', () => {
    const cli = sessionTableInput('sessions', DEFAULT_ATTRIBUTE_NAMES, DEFAULT_OWNER_INDEX_NAME);
    expect(table.Properties.AttributeDefinitions).toEqual(cli.AttributeDefinitions);
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(cli.GlobalSecondaryIndexes);
  });

  it("keeps the table, users' sessions, when the stack is deleted or the table replaced", () => {
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
  });

  it("encrypts the table with the AWS managed key, the README's CDK stack's choice too", () => {
    // SSEEnabled without KMSMasterKeyId is the aws/dynamodb key; without SSESpecification, the AWS owned key.
    expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true });
  });

  it('gives the function the table by the environment variable the library reads', () => {
    expect(fn.Type).toBe('AWS::Serverless::Function');
    expect(fn.Properties.Environment).toEqual({
      Variables: { SESSION_LAMBDA_DYNAMODB_TABLE_NAME: { Ref: 'SessionsTable' } },
    });
  });

  it('runs on nodejs22.x (nodejs20.x is deprecated) and bundles for that Node.js version', () => {
    expect(fn.Properties.Runtime).toBe('nodejs22.x');
    const build = fn.Metadata!.BuildProperties as { Target: string };
    expect(build.Target).toBe(`node${/^nodejs(\d+)\.x$/.exec(String(fn.Properties.Runtime))![1]}`);
  });

  it('allows exactly the item operations and BatchGetItem on that table, and Query on its owner index only', () => {
    const statements = (fn.Properties.Policies as { Statement: Node[] }[]).flatMap((p) => p.Statement);
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchGetItem',
        ],
        Resource: { 'Fn::GetAtt': ['SessionsTable', 'Arn'] },
      },
      {
        Effect: 'Allow',
        Action: ['dynamodb:Query'],
        Resource: { 'Fn::Sub': '${SessionsTable.Arn}/index/owner-index' },
      },
    ]);
  });

  it('routes the three cart routes of an HTTP API to the function', () => {
    const events = Object.values(fn.Properties.Events as Record<string, { Type: string; Properties: Node }>);
    expect(events.every((e) => e.Type === 'HttpApi')).toBe(true);
    expect(events.map((e) => `${String(e.Properties.Method)} ${String(e.Properties.Path)}`).sort()).toEqual([
      'DELETE /cart',
      'GET /cart',
      'POST /cart/items',
    ]);
  });

  it('bundles with esbuild an entry that exists and exports the configured handler', async () => {
    const build = fn.Metadata!.BuildProperties as { EntryPoints: string[]; External: string[] };
    expect(fn.Metadata!.BuildMethod).toBe('esbuild');
    const entry = join(SAMPLES, '..', build.EntryPoints[0]!);
    expect(existsSync(entry)).toBe(true);
    const [file, exported] = String(fn.Properties.Handler).split('.');
    expect(entry.endsWith(`${file}.ts`)).toBe(true);
    expect(typeof ((await import(entry)) as Record<string, unknown>)[exported!]).toBe('function');
    expect(build.External).toContain('@aws-sdk/*');
  });
});
