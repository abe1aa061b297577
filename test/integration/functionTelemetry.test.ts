import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { encodeAvro, SchemaCache } from '../../shared/avro/index.ts';
import { createProducer, sampleEvent } from '../../shared/producer/index.ts';
import { FUNCTION_METRICS_NAMESPACE } from '../../shared/telemetry/index.ts';
import type { EmfDocument, OutputLine } from '../helpers/capturedOutput.ts';
import { isEmf } from '../helpers/capturedOutput.ts';
import { waitFor } from '../helpers/names.ts';
import { createTestPlane, type TestPlane } from '../helpers/plane.ts';

const VALID = 20;
const TRUNCATED = 3;

/**
 * The functions under the real serverless-offline (in-process, so their stdout is offline's log
 * file) write Powertools log lines with the Lambda context and the batch's correlation ids, and
 * EMF documents in the IngestPlane namespace, for a run of valid and undecodable events.
 */
describe('function logs and metrics under serverless-offline (Powertools Logger and Metrics)', () => {
  let plane: TestPlane;

  before(async () => {
    // Debug, so every invocation writes its "invocation answered" line.
    plane = await createTestPlane({ bridgeEnv: { LOG_LEVEL: 'debug' } });
  });

  after(async () => {
    await plane?.close();
  });

  const offlineLines = async (): Promise<OutputLine[]> =>
    (await readFile(join(plane.logDir, `ingest-offline-${plane.runId}.log`), 'utf8'))
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as OutputLine];
        } catch {
          return [];
        }
      });

  test('an invocation writes a log line with its request id and correlation ids, and EMF documents with the counts', async () => {
    const producer = createProducer(plane.js);
    const { route } = plane;
    const type = new SchemaCache().get('route', route.schema.definition);
    await Promise.all(Array.from({ length: VALID }, () => producer.publish(route, sampleEvent(route))));
    await Promise.all(
      Array.from({ length: TRUNCATED }, () => {
        const bytes = encodeAvro(type, sampleEvent(route));
        return producer.publishRaw(route.subject, bytes.subarray(0, bytes.length - 3));
      }),
    );
    await waitFor(
      'rows and dead letters',
      async () => ({ rows: await plane.countRows(), letters: (await plane.deadLetters()).length }),
      (state) => state.rows === VALID && state.letters === TRUNCATED,
    );
    // The EMF document is flushed after the answer is sent; wait for validate's failures to be in the log.
    const lines = await waitFor(
      'validate EMF documents for every record',
      offlineLines,
      (all) =>
        all
          .filter(isEmf)
          .filter((document) => document.function === 'validate' && document.reason === undefined)
          .reduce((sum, document) => sum + Number(document.RecordsIn), 0) >=
        VALID + TRUNCATED,
    );

    // Log lines: Powertools' keys, the Lambda context, and the correlation ids of the batch.
    const answered = lines.filter((line) => line.message === 'invocation answered' && line.function === 'validate');
    assert.ok(answered.length > 0, 'validate wrote "invocation answered" lines');
    for (const line of answered) {
      assert.equal(line.service, 'ingest-test-validate', 'service: the Lambda function name');
      assert.equal(line.function_name, 'ingest-test-validate');
      assert.equal(typeof line.function_request_id, 'string');
      assert.equal(typeof line.cold_start, 'boolean');
      assert.equal(typeof line.timestamp, 'string');
      assert.equal(typeof line.record_count, 'number');
      assert.equal(line.correlation_id, line.first_record_id, 'the correlation id is the batch’s first record (its stream sequence)');
      assert.match(String(line.first_record_id), /^\d+$/);
    }
    const failing = answered.filter((line) => line.level === 'INFO');
    assert.ok(failing.length > 0, 'a batch with undecodable events is logged at info with its reasons');
    for (const line of failing) assert.deepEqual(Object.keys(line.reasons as object), ['avro_decode_failed']);

    // EMF: the namespace, the dimensions, the counts of validate and sink-write.
    const documents = lines.filter(isEmf);
    const of = (fn: string, reason?: string): EmfDocument[] => documents.filter((document) => document.function === fn && document.reason === reason);
    const sum = (list: EmfDocument[], metric: string): number => list.reduce((total, document) => total + Number(document[metric] ?? 0), 0);
    for (const document of documents) {
      assert.equal(document._aws.CloudWatchMetrics[0]!.Namespace, FUNCTION_METRICS_NAMESPACE);
      assert.equal(document.service, `ingest-test-${document.function}`);
    }
    for (const document of of('validate')) assert.deepEqual(document._aws.CloudWatchMetrics[0]!.Dimensions, [['service', 'function']]);
    assert.equal(sum(of('validate'), 'RecordsIn'), VALID + TRUNCATED);
    assert.equal(sum(of('validate'), 'RecordsOk'), VALID);
    assert.equal(sum(of('validate'), 'RecordsRejected'), TRUNCATED);
    const byReason = of('validate', 'avro_decode_failed');
    assert.ok(byReason.length > 0);
    for (const document of byReason) assert.deepEqual(document._aws.CloudWatchMetrics[0]!.Dimensions, [['service', 'function', 'reason']]);
    assert.equal(sum(byReason, 'RecordsFailed'), TRUNCATED);
    assert.ok(sum(of('sink-write'), 'RecordsOk') >= VALID, 'sink-write counted its committed records');
  });
});
