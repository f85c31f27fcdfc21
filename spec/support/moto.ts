// moto_server (https://github.com/getmoto/moto), a second local DynamoDB beside dynalite: started for one spec
// file on a free loopback port, reached through a proxy that hands it one request at a time, stopped after.
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'node:child_process';
import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, type Socket } from 'node:net';
import { type LocalDynamo, localDynamo } from './dynalite';

/** How long moto_server may take to say it listens; a second or two on an idle machine. */
const START_TIMEOUT_MS = 30_000;

/**
 * Starts moto_server on a free loopback port and returns a guarded client bound to it. Requests reach moto
 * one at a time (see {@link startOneAtATimeProxy}). Fails, naming what to install, when moto_server is not on
 * PATH.
 */
export async function startMoto(): Promise<LocalDynamo> {
  const moto = await spawnMotoServer();
  const proxy = await startOneAtATimeProxy(moto.endpoint);
  const local = localDynamo(proxy.endpoint, async () => {
    await proxy.close();
    await moto.stop();
  });
  try {
    // "Running on" is printed once the socket is bound; this checks that DynamoDB answers behind it.
    await local.client.send(new ListTablesCommand({}));
  } catch (error) {
    await local.close();
    throw new Error(`moto_server started but does not answer DynamoDB requests: ${String(error)}`, {
      cause: error,
    });
  }
  local.requests.length = 0;
  return local;
}

interface MotoServer {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** `moto_server -H 127.0.0.1 -p 0`: the OS picks the port, which moto prints in its "Running on" line. */
function spawnMotoServer(): Promise<MotoServer> {
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A jest worker that dies without afterAll must not leave the server behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(force);
  };

  let output = '';
  let settled = false;
  return new Promise<MotoServer>((resolve, reject) => {
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const fail = (reason: string) =>
      settle(() => {
        void stop().then(() => reject(new Error(`${reason}\nmoto_server said:\n${output.slice(-2_000)}`)));
      });
    const timer = setTimeout(
      () => fail(`moto_server did not say it listens within ${START_TIMEOUT_MS} ms.`),
      START_TIMEOUT_MS,
    );
    // werkzeug logs one line per request: keep reading, or the pipe fills and moto stalls.
    const read = (chunk: Buffer) => {
      if (settled) return;
      output += chunk.toString();
      const port = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
      if (port !== undefined) settle(() => resolve({ endpoint: `http://127.0.0.1:${port}`, stop }));
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('error', (error: NodeJS.ErrnoException) =>
      settle(() => {
        process.removeListener('exit', killOnExit);
        reject(
          error.code === 'ENOENT'
            ? new Error(
                "moto_server is not on PATH: install it (pip install 'moto[server]'), or run the specs on " +
                  'dynalite (without DYNAMO_BACKEND=moto).',
              )
            : error,
        );
      }),
    );
    child.once('exit', (code, signal) => fail(`moto_server exited (${signal ?? code}) before it listened.`));
  });
}

/**
 * A loopback proxy that forwards one request at a time, each whole, and waits for moto's whole answer before
 * the next. moto_server answers on a thread per request and checks a write's condition and stores the item
 * as two separate steps, with no lock between them: two conditional writes of one key that overlap can both
 * succeed (measured with moto 5.2.1: 2 rounds in 100 of ten concurrent creates of 300 KB items, 3 in 200 of
 * fifty of small ones; the 50 concurrent increments of spec/engine-rules/concurrency.ts ended at 49 in one
 * run of three). DynamoDB, like dynalite, applies each conditional write atomically. Serialised, moto does too, and
 * the specs' concurrent invocations still interleave their reads and writes as they would on DynamoDB.
 */
async function startOneAtATimeProxy(target: string): Promise<{ endpoint: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const sockets = new Set<Socket>();
  let queue: Promise<void> = Promise.resolve();

  const forward = (req: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer } | undefined>(
      (resolve) => {
        const out = request(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: req.method,
            path: req.url,
            headers: req.headers,
            agent,
          },
          (answer) => {
            readAll(answer).then(
              (answerBody) =>
                resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: answerBody }),
              () => resolve(undefined),
            );
          },
        );
        out.once('error', () => resolve(undefined));
        out.end(body);
      },
    );

  const server: Server = createServer((req, res) => {
    res.once('error', () => undefined); // the caller gave up (a timeout of the SDK's): nothing to tell it
    const body = readAll(req);
    queue = queue.then(async () => {
      const whole = await body.catch(() => undefined);
      if (whole === undefined) return; // the request never arrived whole: nothing to forward
      const answer = await forward(req, whole);
      if (answer === undefined) {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
    stream.once('aborted', () => reject(new Error('aborted')));
  });
}
