/**
 * One DynamoDB request seen from the network: how it is cancelled when its time budget is spent, and what its
 * attempts tell about a write that failed, whether DynamoDB may have applied it all the same.
 */
import { type DeleteCommand, type PutCommand, type UpdateCommand } from '@aws-sdk/lib-dynamodb';

/**
 * What cancels one request: the AWS SDK's own abort-signal shape, `aborted` and an `onabort` that the SDK's
 * retry loop and HTTP handler set when the object has no `addEventListener`. Every SDK version of the peer range
 * (3.521.0 on) takes it. A platform AbortSignal works too, at two EventTarget listeners per attempt: measured
 * 15 to 30 µs more per call than this (Node 20 and 22, SDK 3.1162), for a cancellation that is almost never used.
 */
export class RequestAbort {
  aborted = false;
  onabort: ((this: unknown, event: unknown) => unknown) | null = null;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.onabort?.call(this, { type: 'abort' });
  }
}

/** The commands of a write. */
export type WriteCommand = PutCommand | UpdateCommand | DeleteCommand;

/**
 * Watches each attempt of one write, below the SDK's retries: whether one of them may have been applied. An
 * attempt counts once it is handed to the HTTP handler (signed, not cancelled), unless DynamoDB refused it (a
 * 4xx answer) or no connection was made.
 */
export class WriteAttempts {
  /** Some attempt was sent and did not come back refused. */
  mayHaveApplied = false;

  constructor(
    command: WriteCommand,
    private readonly abort: RequestAbort | undefined,
  ) {
    // The three stacks differ only in the input and output types, which this middleware passes through.
    (command as PutCommand).middlewareStack.add((next) => (args) => this.attempt(next, args), {
      step: 'deserialize',
      priority: 'high',
      name: 'lambdaSessionsWriteAttempts',
      override: true, // the document client's command and its inner command share this stack
    });
  }

  private async attempt<A, R>(next: (args: A) => Promise<R>, args: A): Promise<R> {
    if (this.abort?.aborted) return next(args); // the SDK's handler refuses it unsent
    try {
      return await next(args);
    } catch (error) {
      if (!neverApplied(error)) this.mayHaveApplied = true;
      throw error;
    }
  }
}

/** Network errors that mean no connection was made: the request never left. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Whether an attempt's failure proves that DynamoDB did not apply it: DynamoDB answered with a 4xx (throttling,
 * a failed condition, validation, permissions), or no connection was made. A 5xx, a reset, a timeout after the
 * connection or a cancelled request prove nothing.
 */
function neverApplied(error: unknown): boolean {
  const e = error as {
    $metadata?: { httpStatusCode?: number };
    $response?: { statusCode?: number };
    code?: unknown;
    name?: unknown;
    message?: unknown;
  };
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  if (typeof status === 'number') return status >= 400 && status < 500;
  if (typeof e.code === 'string' && NOT_CONNECTED.has(e.code)) return true;
  // @smithy/node-http-handler's connectionTimeout: "did not establish a connection" (4), "without establishing"
  // (2, in SDK 3.521.0). It also fires for a request still waiting for a socket of the pool: never written.
  return e.name === 'TimeoutError' && typeof e.message === 'string' && /establish/.test(e.message);
}
