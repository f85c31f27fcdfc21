// `npm start`: the cart handlers behind a local HTTP endpoint, on DynamoDB emulated in-process by dynalite.
// Each request becomes an API Gateway HTTP API (payload 2.0) event; each result becomes the HTTP response,
// as API Gateway would map it. Two Lambda entries: the JSON cart API (header mode, samples/cart) and, under
// /app/, the web app's API (cookie mode, samples/web), whose page this server also serves at GET /.
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { type APIGatewayProxyEventV2, type Context } from 'aws-lambda';
import dynalite from 'dynalite';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { configureSessions } from '../src';
import { DEFAULT_ATTRIBUTE_NAMES } from '../src/stores/dynamodb-item';
import { DEFAULT_OWNER_INDEX_NAME, sessionTableInput } from '../src/stores/dynamodb-table';
import { handler as cartApi } from './cart/api';
import { handler as webApi } from './web/api';

const TABLE_NAME = 'sessions';
/** Largest request body accepted, as a guard for a local tool. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * The page's files, by path. Found beside this file when run by ts-jest, and from build/samples/ when compiled
 * (tsc copies no HTML).
 */
const PUBLIC_DIR = [join(__dirname, 'web/public'), join(__dirname, '../../samples/web/public')].find((dir) =>
  existsSync(join(dir, 'index.html')),
);
const STATIC_FILES: Record<string, { readonly file: string; readonly type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
  '/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
};
/**
 * The page's policy: its own script and style only (no inline script, no eval), fetches to its own origin only,
 * no plugins, no framing, forms posted nowhere else. Trusted Types refuse any HTML string given to the DOM: the
 * script sets text only.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
].join('; ');

export interface RunningSample {
  /** The JSON APIs' base, `http://127.0.0.1:port` (what the curl lines use). */
  readonly url: string;
  /**
   * The web app's page, `http://localhost:port/`. Browsers count `localhost` as a secure origin, so they accept
   * its `Secure`, `__Host-` session cookie over plain HTTP (the browser test checks it in Chromium, which takes
   * 127.0.0.1 too; `localhost` is the name browsers agree on).
   */
  readonly appUrl: string;
  close(): Promise<void>;
}

/** Starts dynalite, creates the table, configures the library and listens on `port` (0: any free one). */
export async function startSample(port: number): Promise<RunningSample> {
  const dynamo = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await createTable(client);
  // A fresh server secret per start: the web app's log-ins bind sessions to their owner with an HMAC under it.
  configureSessions({ tableName: TABLE_NAME, client, idSecret: randomBytes(32) });

  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error(error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ error: error instanceof Error ? `${error.name}: ${error.message}` : 'error' }),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, '127.0.0.1', resolve);
  });
  const { port: listening } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${listening}`,
    appUrl: `http://localhost:${listening}/`,
    close: async () => {
      await closeServer(http);
      client.destroy();
      await closeServer(dynamo);
    },
  };
}

async function createTable(client: DynamoDBClient): Promise<void> {
  // The table lambda-sessions create-table makes: with the owner index, for the sessions that belong to a user.
  await client.send(
    new CreateTableCommand(sessionTableInput(TABLE_NAME, DEFAULT_ATTRIBUTE_NAMES, DEFAULT_OWNER_INDEX_NAME)),
  );
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: TABLE_NAME,
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      }),
    );
  } catch {
    // dynalite does not implement TTL; the library enforces expiry on read anyway.
  }
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const routeKey = `${req.method ?? 'GET'} ${url.pathname}`;
  const page = STATIC_FILES[url.pathname];
  if (page && (req.method === 'GET' || req.method === 'HEAD')) {
    servePage(res, page.file, page.type);
    return;
  }
  const body = await readBody(req);
  if (body === undefined) {
    res.writeHead(413).end();
    return;
  }
  const handler = url.pathname.startsWith('/app/') ? webApi : cartApi;
  const result = await handler(toEventV2(req, url, routeKey, body), localContext(routeKey));
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
}

/** One of the page's files, read again on each request so that an edit shows on reload. */
function servePage(res: ServerResponse, file: string, type: string): void {
  if (!PUBLIC_DIR) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('samples/web/public not found');
    return;
  }
  res.writeHead(200, {
    'content-type': type,
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  });
  res.end(readFileSync(join(PUBLIC_DIR, file)));
}

/** A Lambda context for a local call. */
function localContext(routeKey: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'cart',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:cart',
    memoryLimitInMB: '512',
    awsRequestId: `local-${Date.now()}`,
    logGroupName: '/aws/lambda/cart',
    logStreamName: routeKey,
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** An HTTP API payload 2.0 event: lower-case header names, repeated headers joined with commas, `cookies`. */
function toEventV2(req: IncomingMessage, url: URL, routeKey: string, body: Buffer): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headersDistinct)) {
    if (name !== 'cookie' && value) headers[name] = value.join(',');
  }
  const cookies = req.headers.cookie
    ?.split(';')
    .map((c) => c.trim())
    .filter(Boolean);
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies?.length ? { cookies } : {}),
    headers,
    queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: req.headers['user-agent'] ?? '',
      },
      requestId: `local-${now.getTime()}`,
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    body: body.length ? body.toString('base64') : undefined,
    isBase64Encoded: body.length > 0,
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

if (require.main === module) {
  const port = Number(process.env.PORT ?? 3000);
  startSample(port).then(
    ({ url, appUrl }) => {
      console.log(
        `Web app on ${appUrl} (open it in a browser: localhost, not 127.0.0.1, for its __Host- cookie)`,
      );
      console.log(`Cart API on ${url} (sessions in an in-process dynalite table "${TABLE_NAME}")`);
      console.log('Routes: POST /cart/items, GET /cart, DELETE /cart (samples/cart/api.ts). Try:');
      console.log(
        `  id=$(curl -s -D - -o /dev/null -X POST ${url}/cart/items -d '{"sku":"apple","qty":2,"price":150}' | ` +
          "awk 'tolower($1)==\"session-id:\" {print $2}' | tr -d '\\r')",
      );
      console.log(
        `  curl -s -X POST ${url}/cart/items -H "session-id: $id" -d '{"sku":"pear","qty":1,"price":90}'`,
      );
      console.log(`  curl -s ${url}/cart -H "session-id: $id"`);
      console.log('Ctrl-C stops it.');
    },
    (error: unknown) => {
      console.error(
        (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
          ? `Port ${port} is in use: run PORT=3001 npm start`
          : error,
      );
      process.exit(1);
    },
  );
}
