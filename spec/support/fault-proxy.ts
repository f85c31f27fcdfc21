// A loopback HTTP proxy in front of the local DynamoDB (dynalite, or moto_server) that answers chosen requests
// with a fault instead of forwarding them: what DynamoDB and the network do to a Lambda on a bad day.
import {
  createServer,
  request as forward,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { type AddressInfo, type Socket } from 'node:net';

export type Fault =
  | 'throttle' // 400 ProvisionedThroughputExceededException
  | 'throttling' // 400 ThrottlingException
  | 'error500' // 500 InternalServerError
  | 'reset' // the connection is destroyed, no answer
  | 'stall' // the request is never answered
  | 'lose-answer' // forwarded and applied upstream, then the connection is destroyed before the answer
  | 'hold-answer'; // forwarded and applied upstream, and never answered (the connection stays open)

/** Which requests a fault applies to: an operation name (`GetItem`, `PutItem`...) or any. */
export interface FaultPlan {
  readonly fault: Fault;
  readonly operation?: string;
  /** How many matching requests get it. @default 1 */
  readonly times?: number;
}

export interface FaultProxy {
  readonly endpoint: string;
  /** Every request seen, by operation, faulted or not, in order. */
  readonly seen: string[];
  /** Queues faults; each matching request takes one. */
  plan(...plans: FaultPlan[]): void;
  /** Drops the faults still queued: requests from now on are forwarded. Requests already stalled stay stalled. */
  heal(): void;
  /** Connections from clients open now (a stalled request holds one until the client gives it up). */
  connections(): number;
  /** Requests being held without an answer now (stalled, or their answer held), until their client gives them up. */
  held(): number;
  close(): Promise<void>;
}

/** How the proxy behaves beyond its planned faults. */
export interface FaultProxyOptions {
  /**
   * Answer a failed conditional write with the item it failed on, as DynamoDB does for
   * `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'` and dynalite does not: the proxy reads the item from
   * the emulator and adds it to the error. @default false
   */
  readonly oldItemOnConditionFailure?: boolean;
}

const errorBody = (type: string, message: string) =>
  JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });

export async function startFaultProxy(
  target: string,
  proxyOptions: FaultProxyOptions = {},
): Promise<FaultProxy> {
  const upstream = new URL(target);
  const queue: { fault: Fault; operation?: string; left: number }[] = [];
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const holding = new Set<IncomingMessage>();
  const hold = (req: IncomingMessage) => {
    holding.add(req);
    req.socket.once('close', () => holding.delete(req));
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    seen.push(operation);
    const planned = queue.find((p) => p.left > 0 && (!p.operation || p.operation === operation));
    if (planned) {
      planned.left--;
      switch (planned.fault) {
        case 'throttle':
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(
            errorBody('ProvisionedThroughputExceededException', 'Throughput exceeds the provisioned rate'),
          );
          return;
        case 'throttling':
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(errorBody('ThrottlingException', 'Rate of requests exceeds the allowed throughput'));
          return;
        case 'error500':
          res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(errorBody('InternalServerError', 'Internal server error'));
          return;
        case 'reset':
          req.socket.destroy();
          return;
        case 'stall':
          hold(req);
          return; // never answered; closed with the proxy
        case 'lose-answer':
        case 'hold-answer':
          break; // forwarded below, its answer dropped
      }
    }
    const loseAnswer = planned?.fault === 'lose-answer';
    const holdAnswer = planned?.fault === 'hold-answer';
    const out = forward(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        if (loseAnswer) {
          answer.resume();
          answer.on('end', () => req.socket.destroy());
          return;
        }
        if (holdAnswer) {
          answer.resume();
          hold(req);
          return;
        }
        if (!proxyOptions.oldItemOnConditionFailure || answer.statusCode !== 400) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        void withOldItem(upstream, requestBody, answer).then(({ headers, body }) => {
          res.writeHead(400, headers);
          res.end(body);
        });
      },
    );
    out.on('error', () => req.socket.destroy());
    let requestBody = '';
    req.on('data', (chunk: Buffer) => (requestBody += chunk.toString('utf8')));
    req.pipe(out);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    plan: (...plans) =>
      plans.forEach((p) => queue.push({ fault: p.fault, operation: p.operation, left: p.times ?? 1 })),
    heal: () => {
      queue.length = 0;
    },
    connections: () => sockets.size,
    held: () => holding.size,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A 400 answer as DynamoDB gives it: a failed condition of a request that asked for `ALL_OLD` carries the item
 * it failed on (read here from the emulator with a consistent GetItem).
 */
async function withOldItem(
  upstream: URL,
  requestBody: string,
  answer: IncomingMessage,
): Promise<{ headers: IncomingMessage['headers']; body: string }> {
  const chunks: Buffer[] = [];
  for await (const chunk of answer) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const headers = { ...answer.headers };
  delete headers['content-length'];
  const request = JSON.parse(requestBody) as {
    TableName?: string;
    Key?: unknown;
    Item?: Record<string, unknown>;
    ReturnValuesOnConditionCheckFailure?: string;
  };
  if (
    !body.includes('ConditionalCheckFailedException') ||
    request.ReturnValuesOnConditionCheckFailure !== 'ALL_OLD'
  ) {
    return { headers, body };
  }
  const key = request.Key ?? (request.Item && { key: request.Item.key });
  const got = await fetch(`${upstream.origin}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.GetItem',
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x',
      'x-amz-date': '20200101T000000Z',
    },
    body: JSON.stringify({ TableName: request.TableName, Key: key, ConsistentRead: true }),
  });
  const { Item } = (await got.json()) as { Item?: unknown };
  return { headers, body: JSON.stringify({ ...(JSON.parse(body) as object), ...(Item ? { Item } : {}) }) };
}
