import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createSdkLambdaInvoker, lambdaTransportFor } from '../../bridge/invoker.ts';
import { createLocalLambdaInvoker, type LambdaInvoker } from '../../bridge/localInvoker.ts';
import type { LambdaConfig } from '../../shared/config/index.ts';
import type { RawRecord } from '../../shared/contracts/index.ts';
import { invokeError, lambdaConfigFor } from '../helpers/lambda.ts';

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const record: RawRecord = { id: '7', subject: 'a.b.v1', payload: 'AAE=', publishedAtMs: Date.parse('2026-01-01T00:00:00.000Z') };

/**
 * A Lambda Invoke API that misbehaves in ways serverless-offline never does on demand: a plain
 * 500, a body that is not JSON, a connection cut mid-body, no answer at all. The function name in
 * the path picks the fault. What the invokers send, and how they read real answers, function
 * errors and unknown functions, is proven against the real serverless-offline in
 * test/integration/localInvoker.test.ts; this stand-in only supplies faults, so it replaces no
 * behaviour of the real server that a test relies on.
 */
function startFaultyLambdaApi(): Promise<{ server: Server; port: number }> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    request.on('end', () => {
      switch (INVOKE_PATH.exec(request.url ?? '')?.[1]) {
        case 'http-500':
          response.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"internal"}');
          return;
        case 'not-json':
          response.writeHead(200, { 'content-type': 'text/plain' }).end('<html>nope</html>');
          return;
        case 'drop':
          // Headers and half a body, then the connection dies.
          response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
          response.write('{"results":', () => response.socket?.destroy());
          return;
        case 'hang':
          return; // never answers; the invoker's deadline must end it
        default:
          response.writeHead(404).end();
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port }));
  });
}

function lambdaConfig(endpoint: string | undefined, functionName: string, timeoutMs = 2000): LambdaConfig {
  return lambdaConfigFor(endpoint, functionName, timeoutMs);
}

/** Lets every promise and I/O callback that can move on do so (the mock clock leaves setImmediate real). */
function everythingRunnable(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('lambdaTransportFor: plain HTTP only for loopback endpoints', () => {
  test('loopback endpoints use the local HTTP invoker', () => {
    for (const endpoint of [
      'http://127.0.0.1:3002',
      'http://127.1.2.3:3002',
      'http://localhost:3002',
      'http://LOCALHOST:3002/',
      'http://[::1]:3002',
      'http://127.0.0.1',
    ]) {
      assert.equal(lambdaTransportFor(endpoint), 'local-http', endpoint);
    }
  });

  test('AWS and everything that can leave the machine keep the SDK', () => {
    for (const endpoint of [
      undefined,
      'https://127.0.0.1:3002',
      'https://localhost:3002',
      'http://10.0.0.5:3002',
      'http://128.0.0.1:3002',
      'http://[::2]:3002',
      'http://127.0.0.1.example.com:3002',
      'http://localhost.example.com:3002',
      'https://lambda.eu-west-1.amazonaws.com',
      'not a url',
    ]) {
      assert.equal(lambdaTransportFor(endpoint), 'sdk', String(endpoint));
    }
  });

  test('the local invoker refuses a non-loopback endpoint', () => {
    assert.throws(
      () => createLocalLambdaInvoker(lambdaConfig('http://10.0.0.5:3002', 'ok')),
      /needs a plain-HTTP loopback endpoint, got http:\/\/10\.0\.0\.5:3002/,
    );
  });
});

describe('Lambda invokers against a misbehaving Invoke API (stand-in for faults only)', () => {
  let api: Awaited<ReturnType<typeof startFaultyLambdaApi>>;
  let endpoint: string;
  const invokers: LambdaInvoker[] = [];
  const local = (functionName: string, timeoutMs?: number): LambdaInvoker => {
    const invoker = createLocalLambdaInvoker(lambdaConfig(endpoint, functionName, timeoutMs));
    invokers.push(invoker);
    return invoker;
  };
  const sdk = (functionName: string, timeoutMs?: number): LambdaInvoker => {
    const invoker = createSdkLambdaInvoker(lambdaConfig(endpoint, functionName, timeoutMs));
    invokers.push(invoker);
    return invoker;
  };

  before(async () => {
    api = await startFaultyLambdaApi();
    endpoint = `http://127.0.0.1:${api.port}`;
  });
  after(async () => {
    await Promise.all(invokers.map((invoker) => invoker.close()));
    api?.server.closeAllConnections();
    await new Promise((resolve) => api?.server.close(resolve));
  });

  test('HTTP 500 without an error type: a retryable InvokeError with the status and body', async () => {
    const error = await invokeError(() => local('http-500').validate({ records: [record] }));
    assert.equal(error.message, 'http-500: invoke failed: HTTP 500: {"message":"internal"}');
    assert.equal(error.toFailure().stage, 'validate');
    assert.equal(error.toFailure().retryable, true);
  });

  test('connection refused: InvokeError with the cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const invoker = createLocalLambdaInvoker(lambdaConfig(`http://127.0.0.1:${port}`, 'ok'));
    invokers.push(invoker);
    const error = await invokeError(() => invoker.validate({ records: [record] }));
    assert.match(error.message, /^ok: invoke failed: .*ECONNREFUSED/);
    assert.ok(error.cause instanceof Error);
    assert.equal(error.toFailure().retryable, true);
  });

  test('connection dropped mid-body: InvokeError', async () => {
    const error = await invokeError(() => local('drop').validate({ records: [record] }));
    assert.match(error.message, /^drop: invoke failed: (connection closed before the response was complete|aborted)$/);
    assert.equal(error.toFailure().retryable, true);
  });

  test('a body that is not JSON: the same InvokeError from both transports', async () => {
    const viaLocal = await invokeError(() => local('not-json').validate({ records: [record] }));
    assert.equal(viaLocal.message, 'not-json: response is not JSON: <html>nope</html>');
    const viaSdk = await invokeError(() => sdk('not-json').validate({ records: [record] }));
    assert.equal(viaSdk.message, viaLocal.message);
  });

  test('no answer: the local invoker gives up at LambdaConfig.timeoutMs and not before', async (t) => {
    // The deadline runs on a mock clock, so "when" is exact whatever the machine's load.
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let settled = false;
    const pending = invokeError(() => local('hang', 300).validate({ records: [record] })).finally(() => {
      settled = true;
    });
    await everythingRunnable();
    t.mock.timers.tick(299);
    await everythingRunnable();
    assert.equal(settled, false, 'gave up before timeoutMs');
    t.mock.timers.tick(1);
    await everythingRunnable();
    assert.equal(settled, true, 'still waiting after timeoutMs');
    assert.equal((await pending).message, 'hang: invoke failed: no complete response within 300 ms');
  });

  // The test's own timeout only turns a missing deadline into a failure instead of a hang.
  test('no answer: the SDK invoker gives up too, with LambdaConfig.timeoutMs in its message', { timeout: 20_000 }, async () => {
    const started = Date.now();
    const error = await invokeError(() => sdk('hang', 300).validate({ records: [record] }));
    // A lower bound only: the SDK's own clock ends the wait, which load can only delay.
    assert.ok(Date.now() - started >= 300, `gave up after ${Date.now() - started} ms`);
    assert.match(error.message, /^hang: invoke failed: .*300 ms/);
  });
});
