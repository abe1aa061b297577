import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConsoleConfig } from '../../shared/config/index.ts';

const TOKEN = 'a-token-of-twenty-chars';

describe('loadConsoleConfig', () => {
  test('defaults: reads open, the figures bucket and interval the bridge uses, the replay settings of dlq-replay', () => {
    const config = loadConsoleConfig({});

    assert.equal(config.requireAuth, false);
    assert.equal(config.writeToken, undefined);
    assert.equal(config.nats.figuresBucket, 'INGEST_FIGURES');
    assert.equal(config.figuresIntervalMs, 5000);
    assert.equal(config.stage, 'local');
    assert.equal(config.limit, 1000);
    assert.equal(config.nats.deadLetter.name, 'DEADLETTER');
  });

  test('reads every console variable', () => {
    const config = loadConsoleConfig({
      REGISTRY_API_TOKEN: TOKEN,
      CONSOLE_REQUIRE_AUTH: 'true',
      FIGURES_BUCKET: 'RUN_FIGURES',
      BRIDGE_FIGURES_INTERVAL_MS: '2000',
      INGEST_STAGE: 'prod',
      DLQ_REPLAY_LIMIT: '50',
    });

    assert.equal(config.writeToken, TOKEN);
    assert.equal(config.requireAuth, true);
    assert.equal(config.nats.figuresBucket, 'RUN_FIGURES');
    assert.equal(config.figuresIntervalMs, 2000);
    assert.equal(config.stage, 'prod');
    assert.equal(config.limit, 50);
  });

  test('bad values are refused, each named', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ CONSOLE_REQUIRE_AUTH: 'yes' }, /CONSOLE_REQUIRE_AUTH must be true or false/],
      [{ CONSOLE_REQUIRE_AUTH: 'true' }, /CONSOLE_REQUIRE_AUTH is true but no REGISTRY_API_TOKEN is set/],
      [{ REGISTRY_API_TOKEN: 'short' }, /REGISTRY_API_TOKEN must be at least 16 characters/],
      [{ FIGURES_BUCKET: 'a.b' }, /FIGURES_BUCKET "a.b" must be 1-61 of/],
      [{ BRIDGE_FIGURES_INTERVAL_MS: '10' }, /BRIDGE_FIGURES_INTERVAL_MS must be 0 \(off\) or at least 1000, got 10/],
      [{ DLQ_REPLAY_LIMIT: '0' }, /DLQ_REPLAY_LIMIT/],
    ];
    for (const [env, problem] of cases) {
      assert.throws(
        () => loadConsoleConfig(env),
        (error: unknown) => error instanceof ConfigError && problem.test(error.message),
        JSON.stringify(env),
      );
    }
  });
});
