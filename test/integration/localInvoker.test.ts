import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { ClientRequest } from 'node:http';
import diagnostics from 'node:diagnostics_channel';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLambdaInvoker, createSdkLambdaInvoker } from '../../bridge/invoker.ts';
import { createLocalLambdaInvoker, type LambdaInvoker } from '../../bridge/localInvoker.ts';
import { EXAMPLE_REGISTRY, MIGRATIONS_DIR } from '../../cli/paths.ts';
import { type ManagedProcess, startOffline } from '../../infra/local/processes.ts';
import { loadRegistry, migrateRegistry } from '../../shared/xregistry/index.ts';
import { loadCliConfig, loadHttpSinkPolicy, type LambdaConfig } from '../../shared/config/index.ts';
import type { RouteRequest, ValidateRequest } from '../../shared/contracts/index.ts';
import { createSql, type Sql } from '../../shared/postgres/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { invokeError, lambdaConfigFor } from '../helpers/lambda.ts';
import { freePort, uniqueRunId } from '../helpers/names.ts';

/** serverless-offline names the functions <service>-<stage>-<function>. */
const PREFIX = 'ingest-test-';

/** The example registry's one route, and a subject no route has. */
const routeRequest: RouteRequest = {
  records: [
    { id: '1', subject: 'metrics.cpu.usage.v1' },
    { id: '2', subject: 'metrics.nothing.v1' },
  ],
};

function lambdaConfig(endpoint: string, functionName: string): LambdaConfig {
  return lambdaConfigFor(endpoint, functionName, 10_000);
}

/**
 * Runs `body` while recording what this process sends: every HTTP request it starts (Node's
 * `http.client.request.start` channel) and every TCP connection it opens (`net.client.socket`).
 */
async function observing<T>(body: () => Promise<T>): Promise<{ result: T; requests: ClientRequest[]; sockets: number }> {
  const requests: ClientRequest[] = [];
  let sockets = 0;
  const onRequest = (message: unknown): void => {
    requests.push((message as { request: ClientRequest }).request);
  };
  const onSocket = (): void => {
    sockets += 1;
  };
  diagnostics.subscribe('http.client.request.start', onRequest);
  diagnostics.subscribe('net.client.socket', onSocket);
  try {
    return { result: await body(), requests, sockets };
  } finally {
    diagnostics.unsubscribe('http.client.request.start', onRequest);
    diagnostics.unsubscribe('net.client.socket', onSocket);
  }
}

describe('Lambda invokers against the real serverless-offline', () => {
  const runId = uniqueRunId();
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let sql: Sql | undefined;
  let offline: ManagedProcess | undefined;
  let endpoint: string;
  const invokers: LambdaInvoker[] = [];
  const local = (functionName: string): LambdaInvoker => {
    const invoker = createLocalLambdaInvoker(lambdaConfig(endpoint, `${PREFIX}${functionName}`));
    invokers.push(invoker);
    return invoker;
  };
  const sdk = (functionName: string): LambdaInvoker => {
    const invoker = createSdkLambdaInvoker(lambdaConfig(endpoint, `${PREFIX}${functionName}`));
    invokers.push(invoker);
    return invoker;
  };

  before(async () => {
    database = await createTestDatabase(`ingest_${runId}`);
    sql = createSql(database.url, { max: 1, applicationName: 'ingest-test' });
    await migrateRegistry(sql, MIGRATIONS_DIR);
    const streams = loadCliConfig({}).nats;
    await loadRegistry(sql, JSON.parse(await readFile(EXAMPLE_REGISTRY, 'utf8')), {
      ingest: streams.ingest.subjects,
      deadLetter: streams.deadLetter.subjects,
      httpSinks: loadHttpSinkPolicy({}),
    });
    const [lambdaPort, httpPort] = [await freePort(), await freePort()];
    endpoint = `http://127.0.0.1:${lambdaPort}`;
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), LOG_LEVEL: 'warn', DATABASE_URL: database.url };
    offline = await startOffline({ stage: 'test', lambdaPort, httpPort, env, logFile: join(tmpdir(), `ingest-offline-invoker-${runId}.log`) });
  });

  after(async () => {
    await Promise.all(invokers.map((invoker) => invoker.close().catch(() => {})));
    await offline?.stop();
    await sql?.end({ timeout: 5 });
    await database?.drop();
  });

  test('success: the route function answers through the local invoker, the same as through the SDK', async () => {
    const viaLocal = await local('route').route(routeRequest);
    const [routed, unrouted] = viaLocal.results;
    assert.deepEqual(routed, {
      id: '1',
      ok: true,
      sinks: [{ kind: 'postgres', table: 'metric_events' }],
      deadLetterSubject: 'deadletter.metrics.cpu.usage.v1',
    });
    assert.ok(unrouted !== undefined && !unrouted.ok, JSON.stringify(unrouted));
    assert.equal(unrouted.failure.reason, 'unknown_route');
    assert.equal(unrouted.failure.message, 'no route registered for metrics.nothing.v1');
    assert.deepEqual(await sdk('route').route(routeRequest), viaLocal);
  });

  test('the local transport sends an unsigned RequestResponse invoke to the function path; the SDK signs', async () => {
    // createLambdaInvoker is what the bridge calls: for this loopback endpoint it must pick plain HTTP.
    const chosen = createLambdaInvoker(lambdaConfig(endpoint, `${PREFIX}route`));
    invokers.push(chosen);
    const unsigned = await observing(() => chosen.route(routeRequest));
    assert.equal(unsigned.requests.length, 1);
    const [request] = unsigned.requests;
    assert.equal(request!.method, 'POST');
    assert.equal(request!.path, `/2015-03-31/functions/${PREFIX}route/invocations`);
    assert.equal(request!.getHeader('x-amz-invocation-type'), 'RequestResponse');
    assert.equal(request!.getHeader('authorization'), undefined, 'nothing is signed');
    assert.doesNotMatch(String(request!.getHeader('user-agent') ?? ''), /aws-sdk/);
    // The same observation sees the SDK's signature, so the check above can tell the transports apart.
    const signed = await observing(() => sdk('route').route(routeRequest));
    assert.match(String(signed.requests[0]?.getHeader('authorization')), /^AWS4-HMAC-SHA256 /);
    assert.deepEqual(signed.result, unsigned.result);
  });

  test('keep-alive: consecutive invokes share one connection', async () => {
    const invoker = local('route');
    const { requests, sockets } = await observing(async () => {
      for (let i = 0; i < 5; i += 1) await invoker.route({ records: [{ id: String(i), subject: 'metrics.cpu.usage.v1' }] });
    });
    assert.equal(requests.length, 5);
    assert.equal(sockets, 1);
  });

  test('a function that throws: the same retryable InvokeError with its error type and message from both transports', async () => {
    // validate refuses a request without a records array by throwing, so Lambda reports an Unhandled error.
    const malformed = { records: 'none' } as unknown as ValidateRequest;
    const viaLocal = await invokeError(() => local('validate').validate(malformed));
    assert.equal(viaLocal.message, `${PREFIX}validate: function error (Unhandled): Error: validate: bad request: request must be {"records": [...]}`);
    assert.equal(viaLocal.functionName, `${PREFIX}validate`);
    assert.equal(viaLocal.toFailure().stage, 'validate');
    assert.equal(viaLocal.toFailure().retryable, true);
    const viaSdk = await invokeError(() => sdk('validate').validate(malformed));
    assert.equal(viaSdk.message, viaLocal.message);
  });

  test('an unknown function: a retryable InvokeError naming it, from both transports', async () => {
    const viaLocal = await invokeError(() => local('nope').route(routeRequest));
    assert.equal(
      viaLocal.message,
      `${PREFIX}nope: invoke failed: HTTP 404 ResourceNotFoundException: {"Message":"Function not found: ${PREFIX}nope","Type":"User"}`,
    );
    assert.equal(viaLocal.toFailure().stage, 'route');
    assert.equal(viaLocal.toFailure().retryable, true);
    const viaSdk = await invokeError(() => sdk('nope').route(routeRequest));
    assert.equal(viaSdk.message, `${PREFIX}nope: invoke failed: Function not found: ${PREFIX}nope`);
  });
});
