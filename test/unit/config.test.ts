import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadBridgeConfig, loadFunctionConfig } from '../../shared/config/index.ts';

describe('configuration', () => {
  test('defaults give a working local bridge', () => {
    const config = loadBridgeConfig({ LAMBDA_ENDPOINT: 'http://127.0.0.1:3002' });
    assert.equal(config.nats.url, 'nats://127.0.0.1:4222');
    assert.equal(config.lambda.functionNames.sinkWrite, 'ingest-dev-sink-write');
    assert.equal(config.lambda.useLocalCredentials, true);
    assert.equal(config.batch.maxRecords, 500);
  });

  test('every problem is reported at once, naming the variable', () => {
    assert.throws(
      () =>
        loadBridgeConfig({
          NATS_URL: 'http://x',
          BATCH_MAX_RECORDS: 'lots',
          INGEST_STREAM: 'has.dot',
          DEADLETTER_DEFAULT_SUBJECT: 'metrics.dead',
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        const text = error.problems.join('\n');
        assert.match(text, /NATS_URL must use/);
        assert.match(text, /BATCH_MAX_RECORDS must be an integer/);
        assert.match(text, /INGEST_STREAM "has\.dot"/);
        assert.match(text, /DEADLETTER_DEFAULT_SUBJECT "metrics\.dead" is not captured by DEADLETTER_SUBJECTS/);
        assert.match(text, /must not be captured by INGEST_SUBJECTS/);
        return true;
      },
    );
  });

  test('an ack wait shorter than the invoke timeout is refused', () => {
    assert.throws(() => loadBridgeConfig({ ACK_WAIT_MS: '5000', LAMBDA_TIMEOUT_MS: '30000' }), /ACK_WAIT_MS must exceed/);
  });

  test('a function refuses a non-postgres DATABASE_URL', () => {
    assert.throws(() => loadFunctionConfig({ DATABASE_URL: 'mysql://x/y' }), /DATABASE_URL must use postgres/);
  });
});
