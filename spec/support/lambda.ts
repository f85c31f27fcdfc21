// Calling Lambda entries the way the runtime does, without casts: a typed fake Context, and an entry whose
// context a test may leave out.
import { type Context } from 'aws-lambda';
import { type LambdaEntry } from '../../src';

let requests = 0;

/**
 * A Lambda context as the runtime passes one. Its remaining time is Lambda's 15-minute maximum, so that the
 * store time budget is `storeTimeoutMs`, as without a context; give `getRemainingTimeInMillis` to test less.
 */
export function fakeContext(overrides: Partial<Context> = {}): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'spec',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:spec',
    memoryLimitInMB: '128',
    awsRequestId: `spec-request-${++requests}`,
    logGroupName: '/aws/lambda/spec',
    logStreamName: 'spec',
    getRemainingTimeInMillis: () => 15 * 60 * 1000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  };
}

/** The entry as a test calls it: the context may be left out, and is then a fresh {@link fakeContext}. */
export function withFakeContext<E, R>(entry: LambdaEntry<E, R>): (event: E, context?: Context) => Promise<R> {
  return (event, context = fakeContext()) => entry(event, context);
}
