import assert from 'node:assert/strict';
import type { Context } from 'aws-lambda';
import { InvokeError } from '../../bridge/errors.ts';
import type { LambdaConfig } from '../../shared/config/index.ts';

/** Lambda settings that invoke `functionName` for every stage at `endpoint` (undefined: AWS itself). */
function lambdaConfigFor(endpoint: string | undefined, functionName: string, timeoutMs: number): LambdaConfig {
  return {
    endpoint,
    region: 'us-east-1',
    functionNames: { validate: functionName, route: functionName, sinkWrite: functionName },
    useLocalCredentials: true,
    timeoutMs,
    maxRequestBytes: 6_291_456,
  };
}

/** The error an invoke rejected with; fails the test if it resolved. */
async function invokeError(run: () => Promise<unknown>): Promise<InvokeError> {
  try {
    await run();
  } catch (error) {
    assert.ok(error instanceof InvokeError, `expected an InvokeError, got ${String(error)}`);
    return error;
  }
  assert.fail('the invoke should have failed');
}

/** A Lambda context as the runtime hands one to a handler, for running a handler in-process. */
function lambdaContext(functionName: string, awsRequestId: string): Context {
  return {
    awsRequestId,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'stream',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 10_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

export { invokeError, lambdaConfigFor, lambdaContext };
