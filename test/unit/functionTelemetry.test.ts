import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import middy from '@middy/core';
import { loadFunctionConfig } from '../../shared/config/index.ts';
import { ROUTE_RECORD, type RouteRequest, type RouteResponse } from '../../shared/contracts/index.ts';
import { IngestError } from '../../shared/failures/index.ts';
import { dlqReplayView, functionTelemetry, type InvocationView, registryApiView, requestShape, stageView } from '../../shared/middleware/index.ts';
import { createRouteLookupOver, type RouteRecord } from '../../shared/routes/index.ts';
import { runRoute } from '../../shared/stages/index.ts';
import { BRIDGE_LAG_METRIC, FUNCTION_METRICS, FUNCTION_METRICS_NAMESPACE, METRICS } from '../../shared/telemetry/index.ts';
import { createFunctionPowertools, powertoolsBackedLogger } from '../../shared/wiring/index.ts';
import { captured, isEmf } from '../helpers/capturedOutput.ts';
import { lambdaContext } from '../helpers/lambda.ts';

const route = { key: { type: 'metrics.cpu.usage', version: 'v1' }, subject: 'metrics.cpu.usage.v1' } as unknown as RouteRecord;
const lookup = createRouteLookupOver(
  {
    async route(key) {
      if (key.type === 'metrics.down') throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      return key.type === 'metrics.cpu.usage' && key.version === 'v1'
        ? ({ ...route, sinks: [{ kind: 'postgres', table: 'metric_events' }], deadLetterSubject: 'deadletter.x', retryBudget: undefined } as RouteRecord)
        : undefined;
    },
    async writer() {
      return undefined;
    },
  },
  { ttlMs: 0, negativeTtlMs: 0 },
);

/** The route function as its handler composes it, with the registry in memory and Powertools real. */
function routeHandler(functionName: string, view: InvocationView = stageView) {
  const config = loadFunctionConfig({ AWS_LAMBDA_FUNCTION_NAME: functionName, LOG_LEVEL: 'debug' });
  const powertools = createFunctionPowertools('route', config);
  return middy<RouteRequest, RouteResponse>()
    .use(functionTelemetry<RouteRequest, RouteResponse>(powertools, view))
    .use(requestShape<RouteRequest, RouteResponse>('route', ROUTE_RECORD))
    .handler((request) => runRoute(request, { routes: lookup }));
}

// Two ok, two not retryable (no such route, a subject that does not parse), one retryable (registry down).
const batch: RouteRequest = {
  records: [
    { id: 'metrics.cpu.usage.v1', subject: 'metrics.cpu.usage.v1' },
    { id: 'again', subject: 'metrics.cpu.usage.v1' },
    { id: 'metrics.cpu.usage.v7', subject: 'metrics.cpu.usage.v7' },
    { id: 'bad', subject: 'bad' },
    { id: 'metrics.down.v1', subject: 'metrics.down.v1' },
  ],
};

describe('function telemetry (Powertools Metrics as EMF, Logger with context and correlation ids)', () => {
  test('a batch with ok and failed records: one EMF document with the counts and the duration, one per failure reason', async () => {
    const handler = routeHandler('ingest-unit-route');
    const { result, error, lines } = await captured(() => handler(batch, lambdaContext('ingest-unit-route', 'req-1')));
    assert.equal(error, undefined);
    assert.equal(result?.results.length, 5);

    const documents = lines.filter(isEmf);
    for (const document of documents) {
      assert.equal(document._aws.CloudWatchMetrics.length, 1);
      assert.equal(document._aws.CloudWatchMetrics[0]!.Namespace, FUNCTION_METRICS_NAMESPACE);
      assert.equal(document.service, 'ingest-unit-route');
      assert.equal(document.function, 'route');
    }
    const main = documents.filter((document) => document._aws.CloudWatchMetrics[0]!.Dimensions[0]!.length === 2);
    assert.equal(main.length, 1, 'one document for the invocation');
    assert.deepEqual(main[0]!._aws.CloudWatchMetrics[0]!.Dimensions, [['service', 'function']]);
    assert.deepEqual(
      main[0]!._aws.CloudWatchMetrics[0]!.Metrics.map((metric) => [metric.Name, metric.Unit]).sort(),
      [FUNCTION_METRICS.duration, FUNCTION_METRICS.recordsIn, FUNCTION_METRICS.recordsOk, FUNCTION_METRICS.recordsFailed, FUNCTION_METRICS.recordsRejected]
        .map((spec) => [spec.name, spec.unit])
        .sort(),
    );
    assert.deepEqual([main[0]!.RecordsIn, main[0]!.RecordsOk, main[0]!.RecordsFailed, main[0]!.RecordsRejected], [5, 2, 3, 2]);
    assert.equal(typeof main[0]!.Duration, 'number');

    const byReason = documents.filter((document) => document._aws.CloudWatchMetrics[0]!.Dimensions[0]!.length === 3);
    for (const document of byReason) {
      assert.deepEqual(document._aws.CloudWatchMetrics[0]!.Dimensions, [['service', 'function', 'reason']]);
      assert.deepEqual(document._aws.CloudWatchMetrics[0]!.Metrics, [{ Name: 'RecordsFailed', Unit: 'Count' }]);
    }
    assert.deepEqual(Object.fromEntries(byReason.map((document) => [document.reason, document.RecordsFailed])), {
      unknown_route: 1,
      invalid_subject: 1,
      registry_unavailable: 1,
    });
  });

  test('the log line carries the Lambda context and the batch correlation ids; library lines through the project Logger carry them too', async () => {
    const config = loadFunctionConfig({ AWS_LAMBDA_FUNCTION_NAME: 'ingest-unit-route', LOG_LEVEL: 'debug' });
    const powertools = createFunctionPowertools('route', config);
    const library = powertoolsBackedLogger(powertools.logger).child({ sink: 'postgres:metric_events' });
    const handler = middy<RouteRequest, RouteResponse>()
      .use(functionTelemetry<RouteRequest, RouteResponse>(powertools, stageView))
      .handler(async (request) => {
        library.warn('delivery state not saved', { events: 2, error: new IngestError('sink-write', 'sink_unavailable', 'down', { retryable: true }) });
        return runRoute(request, { routes: lookup });
      });
    const { lines } = await captured(() => handler(batch, lambdaContext('ingest-unit-route', 'req-2')));

    const answered = lines.find((line) => line.message === 'invocation answered');
    assert.ok(answered, `an "invocation answered" line in ${JSON.stringify(lines)}`);
    assert.equal(answered.level, 'INFO', 'info when records failed');
    assert.equal(answered.service, 'ingest-unit-route');
    assert.equal(answered.function, 'route');
    assert.equal(answered.function_request_id, 'req-2');
    assert.equal(answered.function_name, 'ingest-unit-route');
    assert.equal(typeof answered.cold_start, 'boolean');
    assert.equal(answered.correlation_id, 'metrics.cpu.usage.v1');
    assert.equal(answered.first_record_id, 'metrics.cpu.usage.v1');
    assert.equal(answered.record_count, 5);
    assert.deepEqual(answered.reasons, { unknown_route: 1, invalid_subject: 1, registry_unavailable: 1 });

    const fromLibrary = lines.find((line) => line.message === 'delivery state not saved');
    assert.ok(fromLibrary);
    assert.equal(fromLibrary.level, 'WARN');
    assert.equal(fromLibrary.function_request_id, 'req-2');
    assert.equal(fromLibrary.correlation_id, 'metrics.cpu.usage.v1');
    assert.equal(fromLibrary.sink, 'postgres:metric_events');
    assert.equal(fromLibrary.events, 2);
    assert.deepEqual(fromLibrary.error, { name: 'IngestError', message: 'down', reason: 'sink_unavailable', retryable: true });

    // Keys are reset after each invocation: the next one has its own correlation id and count.
    const next = await captured(() => handler({ records: [{ id: 'only', subject: 'metrics.cpu.usage.v1' }] }, lambdaContext('ingest-unit-route', 'req-3')));
    const second = next.lines.find((line) => line.message === 'invocation answered');
    assert.ok(second);
    assert.equal(second.level, 'DEBUG', 'debug when every record was ok');
    assert.deepEqual([second.function_request_id, second.correlation_id, second.record_count, second.cold_start], ['req-3', 'only', 1, false]);
  });

  test('a malformed request fails the invocation as before, logged with its error and counted', async () => {
    const handler = routeHandler('ingest-unit-route');
    const { error, lines } = await captured(() => handler({ records: [{ id: 'x' }] } as unknown as RouteRequest, lambdaContext('ingest-unit-route', 'req-4')));
    assert.ok(error instanceof Error && error.name === 'BadRequestError');
    const failed = lines.find((line) => line.message === 'invocation failed');
    assert.ok(failed);
    assert.equal(failed.level, 'ERROR');
    assert.match(String((failed.error as { message: string }).message), /records\[0\]\.subject/);
    const [document] = lines.filter(isEmf);
    assert.ok(document);
    assert.equal(document.RecordsIn, 1);
  });

  test('telemetry never fails an invocation: a view that throws is logged, the answer goes out', async () => {
    const broken: InvocationView = {
      correlation: () => {
        throw new Error('correlation broke');
      },
      tally: () => {
        throw new Error('tally broke');
      },
    };
    const handler = routeHandler('ingest-unit-route', broken);
    const { result, error, lines } = await captured(() => handler(batch, lambdaContext('ingest-unit-route', 'req-5')));
    assert.equal(error, undefined);
    assert.equal(result?.results.length, 5);
    assert.deepEqual(
      lines.filter((line) => line.level === 'WARN').map((line) => line.message),
      ['correlation keys not set', 'function metrics not recorded'],
    );
  });

  test('registry-api requests are counted by status; its correlation id is the HTTP request id', () => {
    assert.deepEqual(registryApiView.tally({}, { statusCode: 200 }), { counts: { requests: 1, requestsFailed: 0 }, byReason: {} });
    assert.deepEqual(registryApiView.tally({}, { statusCode: 409 }), {
      counts: { requests: 1, requestsFailed: 1 },
      byReason: { requestsFailed: { '409': 1 } },
    });
    assert.deepEqual(registryApiView.tally({}, undefined), { counts: { requests: 1, requestsFailed: 1 }, byReason: { requestsFailed: { '500': 1 } } });
    assert.deepEqual(registryApiView.correlation({ requestContext: { requestId: 'http-1' } }, 'lambda-1'), { id: 'http-1', keys: {} });
  });

  test('dlq-replay counts its report; a stage answer without results counts only the records in', () => {
    const counts = { replayed: 3, 'would-replay': 0, 'still-failing': 2, parked: 1, deferred: 0, 'already-parked': 4 };
    assert.deepEqual(dlqReplayView.tally({}, { dryRun: false, examined: 10, counts, items: [] }), {
      counts: { lettersExamined: 10, lettersReplayed: 3, lettersParked: 1 },
      byReason: {},
    });
    assert.deepEqual(dlqReplayView.tally({}, undefined), { counts: {}, byReason: {} });
    assert.deepEqual(stageView.tally({ records: [{ id: '1' }, { id: '2' }] }, undefined), { counts: { recordsIn: 2 }, byReason: {} });
    assert.deepEqual(stageView.correlation('not a request', 'req'), { id: undefined, keys: { record_count: 0 } });
  });

  test("the bridge's lag metric contract names the catalog's consumer gauge and its attributes", () => {
    assert.equal(BRIDGE_LAG_METRIC.source, METRICS.consumerPending.name);
    assert.deepEqual([...BRIDGE_LAG_METRIC.dimensions], [...METRICS.consumerPending.attributes]);
    assert.equal(BRIDGE_LAG_METRIC.namespace, FUNCTION_METRICS_NAMESPACE);
  });
});
