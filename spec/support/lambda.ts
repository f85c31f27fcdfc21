// Calling Lambda entries the way the runtime does, without casts.
import { type Context } from 'aws-lambda';

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
