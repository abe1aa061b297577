import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { InvokeError } from '../../bridge/errors.ts';
import { createLambdaInvoker, createSdkLambdaInvoker, lambdaTransportFor } from '../../bridge/invoker.ts';
import { createLocalLambdaInvoker, type LambdaInvoker } from '../../bridge/localInvoker.ts';
import type { LambdaConfig } from '../../shared/config/index.ts';
import type { RawRecord } from '../../shared/contracts/index.ts';

type Received = { method: string; url: string; headers: IncomingHttpHeaders; body: string };

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const record: RawRecord = { id: '7', subject: 'a.b.v1', payload: 'AAE=', publishedAtMs: Date.parse('2026-01-01T00:00:00.000Z') };
const answer = { results: [{ id: '7', ok: false, failure: { stage: 'validate', reason: 'avro_decode_failed', message: 'bad', retryable: false } }] };

/**
 * Emulates serverless-offline's Lambda API: the function name in the path picks the behaviour.
 * Every request is recorded, and the connections are counted to see keep-alive at work.
 */
function startLambdaApi(): Promise<{ server: Server; port: number; received: Received[]; connections: () => number }> {
  const received: Received[] = [];
  let connections = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      const name = INVOKE_PATH.exec(request.url ?? '')?.[1];
      const json = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
        response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(payload));
      };
      switch (name) {
        case 'ok':
          // Echo the request so the caller can see it arrived intact.
          json(200, { ...answer, echo: JSON.parse(body) as unknown });
          return;
        case 'fn-error':
          json(200, { errorType: 'TypeError', errorMessage: 'boom', trace: ['at x'] }, { 'x-amz-function-error': 'Unhandled' });
          return;
        case 'http-500':
          json(500, { message: 'internal' });
          return;
        case 'not-found':
          json(404, { Message: 'Function not found: not-found', Type: 'User' }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
          return;
        case 'not-json':
          response.writeHead(200, { 'content-type': 'text/plain' }).end('<html>nope</html>');
          return;
        case 'drop':
          // Headers and half a body, then the connection dies.
          response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
          response.write('{"results":');
          setTimeout(() => response.socket?.destroy(), 20);
          return;
        case 'slow':
          return; // never answers; the invoker's deadline must end it
        default:
          json(404, { Message: `Function not found: ${String(name)}` });
      }
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, port: (server.address() as AddressInfo).port, received, connections: () => connections });
    });
  });
}

function lambdaConfig(endpoint: string | undefined, functionName: string, timeoutMs = 2000): LambdaConfig {
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
    assert.throws(() => createLocalLambdaInvoker(lambdaConfig('http://10.0.0.5:3002', 'ok')), /loopback/);
  });
});

describe('local Lambda invoker against an emulated Invoke API', () => {
  let api: Awaited<ReturnType<typeof startLambdaApi>>;
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
    api = await startLambdaApi();
    endpoint = `http://127.0.0.1:${api.port}`;
  });
  beforeEach(() => {
    api.received.length = 0;
  });
  after(async () => {
    await Promise.all(invokers.map((invoker) => invoker.close()));
    api.server.closeAllConnections();
    await new Promise((resolve) => api.server.close(resolve));
  });

  test('success: POSTs the request to the function path and returns the parsed body', async () => {
    const invoker = local('ok');
    const request = { records: [record] };
    const response = await invoker.validate(request);
    assert.deepEqual(response, { ...answer, echo: request });

    assert.equal(api.received.length, 1);
    const [seen] = api.received;
    assert.equal(seen?.method, 'POST');
    assert.equal(seen?.url, '/2015-03-31/functions/ok/invocations');
    assert.equal(seen?.headers['x-amz-invocation-type'], 'RequestResponse');
    assert.equal(seen?.headers['content-length'], String(Buffer.byteLength(seen?.body ?? '')));
    assert.equal(seen?.headers.authorization, undefined, 'nothing is signed');
    assert.deepEqual(JSON.parse(seen?.body ?? ''), request);
  });

  test('keep-alive: consecutive invokes share one connection', async () => {
    const invoker = local('ok');
    const before = api.connections();
    for (let i = 0; i < 5; i += 1) await invoker.route({ records: [{ id: String(i), subject: 'a.b.v1' }] });
    assert.equal(api.connections() - before, 1);
  });

  test('createLambdaInvoker picks the unsigned transport for this loopback endpoint', async () => {
    const invoker = createLambdaInvoker(lambdaConfig(endpoint, 'ok'));
    invokers.push(invoker);
    await invoker.validate({ records: [record] });
    assert.equal(api.received[0]?.headers.authorization, undefined);
    assert.doesNotMatch(api.received[0]?.headers['user-agent'] ?? '', /aws-sdk/);
  });

  test('function error header: InvokeError with the error type and message', async () => {
    const error = await invokeError(() => local('fn-error').validate({ records: [record] }));
    assert.equal(error.message, 'fn-error: function error (Unhandled): TypeError: boom');
    assert.equal(error.functionName, 'fn-error');
    assert.equal(error.toFailure().stage, 'validate');
    assert.equal(error.toFailure().retryable, true);
  });

  test('HTTP 500: InvokeError', async () => {
    const error = await invokeError(() => local('http-500').validate({ records: [record] }));
    assert.match(error.message, /^http-500: invoke failed: HTTP 500: \{"message":"internal"\}$/);
    assert.equal(error.toFailure().retryable, true);
  });

  test('unknown function (404 ResourceNotFoundException): InvokeError naming the type', async () => {
    const error = await invokeError(() => local('not-found').route({ records: [{ id: '1', subject: 'a.b.v1' }] }));
    assert.match(error.message, /invoke failed: HTTP 404 ResourceNotFoundException: .*Function not found/);
    assert.equal(error.toFailure().stage, 'route');
  });

  test('timeout: InvokeError after LambdaConfig.timeoutMs', async () => {
    const started = Date.now();
    const error = await invokeError(() => local('slow', 300).validate({ records: [record] }));
    const took = Date.now() - started;
    assert.match(error.message, /invoke failed: no complete response within 300 ms/);
    assert.ok(took >= 290 && took < 2000, `gave up after ${took} ms`);
  });

  test('connection refused: InvokeError', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const invoker = createLocalLambdaInvoker(lambdaConfig(`http://127.0.0.1:${port}`, 'ok'));
    invokers.push(invoker);
    const error = await invokeError(() => invoker.validate({ records: [record] }));
    assert.match(error.message, /invoke failed: .*ECONNREFUSED/);
    assert.ok(error.cause instanceof Error);
  });

  test('connection dropped mid-body: InvokeError', async () => {
    const error = await invokeError(() => local('drop').validate({ records: [record] }));
    assert.match(error.message, /^drop: invoke failed: /);
  });

  test('non-JSON body: InvokeError', async () => {
    const error = await invokeError(() => local('not-json').validate({ records: [record] }));
    assert.equal(error.message, 'not-json: response is not JSON: <html>nope</html>');
  });

  test('the SDK invoker fails the same way on function errors and non-JSON bodies', async () => {
    for (const name of ['fn-error', 'not-json']) {
      const viaLocal = await invokeError(() => local(name).validate({ records: [record] }));
      const viaSdk = await invokeError(() => sdk(name).validate({ records: [record] }));
      assert.equal(viaSdk.message, viaLocal.message, name);
    }
    assert.deepEqual(await sdk('ok').validate({ records: [record] }), await local('ok').validate({ records: [record] }));
  });

  test('the SDK invoker also gives up after LambdaConfig.timeoutMs', async () => {
    const started = Date.now();
    const error = await invokeError(() => sdk('slow', 300).validate({ records: [record] }));
    assert.ok(Date.now() - started < 2000, 'the SDK must not wait beyond its requestTimeout');
    assert.match(error.message, /invoke failed: .*300 ms/);
  });
});
