#!/usr/bin/env node
// Compiles every ```ts block of README.md, each as its own module, with `lambda-sessions` resolved to src/.
// A block preceded by `<!-- not compiled: reason -->` is a fragment and is skipped (the reason says why).
// Names the examples leave to the reader (checkPassword, parseItem, ...) are declared in readme-globals.d.ts.
//
// A block that imports aws-cdk-lib is compiled against the aws-cdk-lib and constructs that scripts/cdk/ pins,
// installed into build/cdk/ on first use (npm ci, no install scripts) and kept there. They are not dev
// dependencies of the library: together they unpack to about 186 MB (7,900 files), more than three quarters of
// everything else the repository installs, for one README example. The stack is then synthesized (without
// bundling) and its table and function are checked against samples/template.yaml, so the two cannot drift.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { transformSync } from 'esbuild';
import { parse } from 'yaml';

const root = new URL('../', import.meta.url);
const out = new URL('build/readme/', root);
const cdk = new URL('build/cdk/', root);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const readme = readFileSync(new URL('README.md', root), 'utf8');
const blocks = [...readme.matchAll(/(<!-- not compiled: [^>]*-->\s*)?```ts\n([\s\S]*?)```/g)];
let compiled = 0;
const cdkBlocks = [];
for (const [index, [, skip, code]] of blocks.entries()) {
  if (skip) continue;
  const line = readme.slice(0, readme.indexOf(code)).split('\n').length;
  // ESM-only imports (middy 6) make the example an ES module, as it is in a user's project.
  const extension = /from '@middy\/core'/.test(code) ? 'mts' : 'ts';
  writeFileSync(new URL(`example-${index + 1}-line-${line}.${extension}`, out), `${code}\nexport {};\n`);
  if (/from 'aws-cdk-lib/.test(code)) cdkBlocks.push({ code, line });
  compiled++;
}
if (cdkBlocks.length) installCdk();
const cdkModules = (name) => [`build/cdk/node_modules/${name}`];
writeFileSync(
  new URL('tsconfig.json', out),
  JSON.stringify({
    extends: '../../tsconfig.json',
    compilerOptions: {
      noEmit: true,
      baseUrl: '../..',
      paths: {
        'lambda-sessions': ['src/index.ts'],
        'lambda-sessions/middy': ['src/middy.ts'],
        'lambda-sessions/testing': ['src/testing.ts'],
        ...(cdkBlocks.length
          ? {
              'aws-cdk-lib': cdkModules('aws-cdk-lib'),
              'aws-cdk-lib/*': cdkModules('aws-cdk-lib/*'),
              constructs: cdkModules('constructs'),
            }
          : {}),
      },
      noUnusedLocals: false,
    },
    include: ['*.ts', '*.mts', '../../scripts/readme-globals.d.ts'],
  }),
);
try {
  execFileSync(
    process.execPath,
    [new URL('node_modules/typescript/bin/tsc', root).pathname, '-p', out.pathname],
    {
      stdio: 'inherit',
    },
  );
} catch {
  console.error('README examples do not compile (files in build/readme/, named by their README line).');
  process.exit(1);
}
for (const block of cdkBlocks) synthesize(block);
console.log(
  `README: ${compiled} TypeScript examples compile (${blocks.length - compiled} marked as fragments)` +
    (cdkBlocks.length ? `; the CDK stack synthesizes to what samples/template.yaml deploys.` : '.'),
);

/** aws-cdk-lib and constructs as scripts/cdk/package-lock.json pins them, in build/cdk/ (reinstalled when it changes). */
function installCdk() {
  const lock = readFileSync(new URL('scripts/cdk/package-lock.json', root), 'utf8');
  const installed = new URL('package-lock.json', cdk);
  if (
    existsSync(installed) &&
    readFileSync(installed, 'utf8') === lock &&
    existsSync(new URL('node_modules/aws-cdk-lib/package.json', cdk))
  ) {
    return;
  }
  mkdirSync(cdk, { recursive: true });
  copyFileSync(new URL('scripts/cdk/package.json', root), new URL('package.json', cdk));
  writeFileSync(installed, lock);
  console.log('Installing aws-cdk-lib and constructs into build/cdk/ for the README CDK example...');
  // Run by `npm run`, npm says where it is; otherwise the one on the PATH.
  const npm = process.env.npm_execpath;
  const args = ['ci', '--prefix', fileURLToPath(cdk), '--ignore-scripts', '--no-audit', '--no-fund'];
  try {
    if (npm && /\.c?js$/.test(npm)) execFileSync(process.execPath, [npm, ...args], { stdio: 'inherit' });
    else execFileSync('npm', args, { stdio: 'inherit' });
  } catch {
    rmSync(installed, { force: true });
    console.error(
      'Could not install aws-cdk-lib into build/cdk/: the README CDK example needs the npm registry.',
    );
    process.exit(1);
  }
}

/** Synthesizes the README's CDK stack and checks it against what the SAM template deploys. */
function synthesize({ code, line }) {
  // Transpiled only: tsc has checked the types above.
  const file = new URL(`readme-stack-line-${line}.js`, cdk);
  writeFileSync(file, transformSync(code, { loader: 'ts', format: 'cjs', target: 'node20' }).code);
  const requireCdk = createRequire(file);
  const { App } = requireCdk('aws-cdk-lib');
  const { Template } = requireCdk('aws-cdk-lib/assertions');
  const stacks = Object.values(requireCdk(fileURLToPath(file))).filter((v) => typeof v === 'function');
  process.chdir(fileURLToPath(root)); // the example's entry is relative to the project, as `cdk synth` runs it
  // No bundling: esbuild would only build the sample handler, which the jest specs already bundle.
  const app = new App({
    outdir: fileURLToPath(new URL('cdk.out/', cdk)),
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  const template = Template.fromStack(new stacks[0](app, 'ReadmeStack')).toJSON();

  const sam = parse(readFileSync(new URL('samples/template.yaml', root), 'utf8'), {
    customTags: ['Ref', 'GetAtt', 'Sub'].map((name) => ({
      tag: `!${name}`,
      resolve: (v) => ({ [name]: v }),
    })),
  }).Resources;
  const byType = (type) => Object.values(template.Resources).filter((r) => r.Type === type);
  const [table] = byType('AWS::DynamoDB::Table');
  const functions = byType('AWS::Lambda::Function');
  const problems = [];
  const same = (what, cdkValue, samValue) => {
    if (!isDeepStrictEqual(cdkValue, samValue)) {
      problems.push(`${what}: CDK ${JSON.stringify(cdkValue)}, SAM ${JSON.stringify(samValue)}`);
    }
  };
  const samTable = sam.SessionsTable;
  same('table DeletionPolicy', table?.DeletionPolicy, samTable.DeletionPolicy);
  same('table UpdateReplacePolicy', table?.UpdateReplacePolicy, samTable.UpdateReplacePolicy);
  for (const key of [
    'KeySchema',
    'AttributeDefinitions',
    'BillingMode',
    'TimeToLiveSpecification',
    'SSESpecification',
    'GlobalSecondaryIndexes',
  ]) {
    same(`table ${key}`, table?.Properties[key], samTable.Properties[key]);
  }
  const samFunction = sam.CartFunction.Properties;
  same('one function', functions.length, 1);
  for (const key of ['Runtime', 'Architectures', 'MemorySize', 'Timeout']) {
    same(`function ${key}`, functions[0]?.Properties[key], samFunction[key]);
  }
  same(
    'function environment',
    Object.keys(functions[0]?.Properties.Environment?.Variables ?? {}),
    Object.keys(samFunction.Environment.Variables),
  );
  // Each statement's effect, actions and resources, the table's ARN written TABLE.Arn in both.
  const tableId = Object.keys(template.Resources).find((id) => template.Resources[id] === table);
  const cdkArn = (r) =>
    typeof r === 'string'
      ? r
      : r['Fn::GetAtt']
        ? `\${${r['Fn::GetAtt'][0] === tableId ? 'TABLE' : r['Fn::GetAtt'][0]}.${r['Fn::GetAtt'][1]}}`
        : r['Fn::Join']?.[0] === ''
          ? r['Fn::Join'][1].map(cdkArn).join('')
          : JSON.stringify(r);
  const samArn = (r) =>
    r.GetAtt
      ? `\${${r.GetAtt.replace(/^SessionsTable\./, 'TABLE.')}}`
      : r.Sub
        ? r.Sub.replaceAll('${SessionsTable.', '${TABLE.')
        : JSON.stringify(r);
  const list = (v) => (Array.isArray(v) ? v : [v]);
  const statements = (all, arn) =>
    all
      .map((s) => ({
        Effect: s.Effect,
        Action: list(s.Action).sort(),
        Resource: list(s.Resource).map(arn).sort(),
      }))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  same(
    'function permissions',
    statements(
      byType('AWS::IAM::Policy').flatMap((p) => p.Properties.PolicyDocument.Statement),
      cdkArn,
    ),
    statements(samFunction.Policies[0].Statement, samArn),
  );
  if (problems.length) {
    console.error(
      `The README's CDK stack (line ${line}) and samples/template.yaml differ:\n  ${problems.join('\n  ')}`,
    );
    process.exit(1);
  }
}
