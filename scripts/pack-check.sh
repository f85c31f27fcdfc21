#!/usr/bin/env bash
# Packs the library as npm would publish it, installs the tarball into a fresh TypeScript project outside the
# repository, compiles the README's counter handler there with tsc, and runs it against dynalite: what a user
# gets from `npm install lambda-sessions`, not what the repo's own paths make work.
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
  "@middy/core@$(version @middy/core)"

# The table CLI, as `npx lambda-sessions` finds it in the installed package.
./node_modules/.bin/lambda-sessions --help | grep -q '^Usage: lambda-sessions <command>'
echo "bin: lambda-sessions --help works"

cat > tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022", "module": "Node16", "moduleResolution": "Node16", "strict": true,
    "experimentalDecorators": true, "emitDecoratorMetadata": true, "outDir": "out", "skipLibCheck": false
  },
  "include": ["handler.ts", "handler-esm.mts", "middy-handler.mts"]
}
JSON
cat > handler.ts <<'TS'
import 'reflect-metadata';
import { type APIGatewayProxyEventV2 } from 'aws-lambda';
import { IsInt, IsOptional, Min } from 'class-validator';
import { Session, SessionData, configureSessions } from 'lambda-sessions';

configureSessions({ tableName: 'sessions' }); // or SESSION_LAMBDA_DYNAMODB_TABLE_NAME

class Counter {
  @IsOptional() @IsInt() @Min(0) value?: number;
}

class Handler {
  @Session({ update: true, ttl: 900 })
  async handle(event: APIGatewayProxyEventV2, @SessionData() counter: Counter) {
    const seen = counter.value ?? null;
    counter.value = (counter.value ?? 0) + 1;
    return { statusCode: 200, headers: {}, body: JSON.stringify(seen) };
  }
}
const h = new Handler();
export const handler = h.handle.bind(h);
TS
# The same handler as an ES module: `lambda-sessions` resolves to its ESM entry.
cp handler.ts handler-esm.mts

# middy 6 with the real core: the middleware's structural type must fit middy's own `.use()` types.
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
// Starts dynalite (the repo's copy), creates the table, and calls the compiled handler as Lambda would.
const dynalite = require(process.env.DYNALITE_PATH);
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
  try {
    await scenario('CommonJS', require('./out/handler.js').handler);
    await scenario('ES module', (await import('./out/handler-esm.mjs')).handler);
    await scenario('middy 6', (await import('./out/middy-handler.mjs')).handler);
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  } finally {
    server.close();
    client.destroy();
  }
});
JS
npx tsc -p tsconfig.json
AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true DYNALITE_PATH="$repo/node_modules/dynalite" node run.js
echo "pack check passed"
