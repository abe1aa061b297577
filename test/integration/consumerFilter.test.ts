import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { type BridgeConfig, ConfigError, loadBridgeConfig } from '../../shared/config/index.ts';
import { advisoryTopology, connectNats, consumerSettingsFor, ensureTopology, type NatsConnection } from '../../shared/nats/index.ts';
import { runStreamsEnv, uniqueRunId } from '../helpers/names.ts';

/** Two bridge deployments on one ingest stream, each with its own consumer and part of the subjects. */
describe('bridge deployments with their own consumer filter (real nats-server)', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let runId: string;
  let metrics: BridgeConfig;
  let alerts: BridgeConfig;

  function configFor(consumer: string, filter: string | undefined): BridgeConfig {
    return loadBridgeConfig({
      ...runStreamsEnv(runId),
      INGEST_CONSUMER: `${consumer}_${runId}`,
      ...(filter === undefined ? {} : { INGEST_CONSUMER_FILTER: filter }),
    });
  }

  before(async () => {
    runId = uniqueRunId();
    metrics = configFor('metrics', `${runId}.metrics.>`);
    alerts = configFor('alerts', `${runId}.alerts.>`);
    nc = await connectNats(metrics.nats.url, `ingest-test-${runId}`);
    jsm = await jetstreamManager(nc);
  });

  after(async () => {
    if (jsm !== undefined) {
      for (const stream of [metrics.nats.ingest.name, metrics.nats.deadLetter.name, advisoryTopology(metrics.nats).stream]) {
        await jsm.streams.delete(stream).catch(() => false);
      }
    }
    await nc?.close();
  });

  test('each consumer gets only its subjects; both share one advisory stream', async () => {
    await ensureTopology(jsm, metrics.nats, consumerSettingsFor(metrics));
    await ensureTopology(jsm, alerts.nats, consumerSettingsFor(alerts));
    const js = jetstream(nc);
    for (let i = 0; i < 5; i++) await js.publish(`${runId}.metrics.cpu.v1`, new Uint8Array([i]));
    for (let i = 0; i < 3; i++) await js.publish(`${runId}.alerts.disk.v1`, new Uint8Array([i]));

    const metricsInfo = await jsm.consumers.info(metrics.nats.ingest.name, metrics.nats.consumer);
    const alertsInfo = await jsm.consumers.info(alerts.nats.ingest.name, alerts.nats.consumer);
    assert.equal(metricsInfo.num_pending, 5);
    assert.equal(alertsInfo.num_pending, 3);
    assert.equal(metricsInfo.config.filter_subject, `${runId}.metrics.>`);

    const advisories = await jsm.streams.info(advisoryTopology(metrics.nats).stream);
    assert.deepEqual(advisories.config.subjects, [`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${metrics.nats.ingest.name}.*`]);
    assert.equal(advisoryTopology(alerts.nats).stream, advisoryTopology(metrics.nats).stream);
    assert.notEqual(advisoryTopology(alerts.nats).consumer, advisoryTopology(metrics.nats).consumer);
  });

  test('a consumer whose filter differs from the configured one is refused with a clear message', async () => {
    const moved = configFor('metrics', `${runId}.alerts.>`);
    await assert.rejects(ensureTopology(jsm, moved.nats, consumerSettingsFor(moved)), /takes .*\.metrics\.>, not .*\.alerts\.>.*use another INGEST_CONSUMER/);
    const unfiltered = configFor('metrics', undefined);
    await assert.rejects(ensureTopology(jsm, unfiltered.nats, consumerSettingsFor(unfiltered)), /not every subject/);
  });

  test('a filter outside the ingest subjects is a configuration error', () => {
    assert.throws(
      () => configFor('x', 'elsewhere.>'),
      (error: unknown) =>
        error instanceof ConfigError && /INGEST_CONSUMER_FILTER "elsewhere.>" must be a subject filter inside INGEST_SUBJECTS/.test(error.message),
    );
    // An empty token is not a subject filter at all, even though it starts inside INGEST_SUBJECTS.
    assert.throws(
      () => configFor('x', `${runId}..bad`),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.message.includes(`INGEST_CONSUMER_FILTER "${runId}..bad" must be a subject filter inside INGEST_SUBJECTS (${runId}.>)`),
    );
  });
});
