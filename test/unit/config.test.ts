import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { ConfigError, loadBridgeConfig, loadCliConfig, loadFunctionConfig } from '../../shared/config/index.ts';

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

  test('figures: published every 5 s to INGEST_FIGURES by default, 0 turns them off, the CLI reads the same bucket', () => {
    const config = loadBridgeConfig({});
    assert.equal(config.figuresIntervalMs, 5000);
    assert.equal(config.nats.figuresBucket, 'INGEST_FIGURES');
    assert.equal(loadBridgeConfig({ BRIDGE_FIGURES_INTERVAL_MS: '0' }).figuresIntervalMs, 0);
    assert.equal(loadBridgeConfig({ BRIDGE_FIGURES_INTERVAL_MS: '1000', FIGURES_BUCKET: 'figures-a_1' }).nats.figuresBucket, 'figures-a_1');
    assert.equal(loadCliConfig({ FIGURES_BUCKET: 'other' }).nats.figuresBucket, 'other');
  });

  test('figures: an interval under a second, a non-integer one and a bucket name NATS refuses are reported with their variable', () => {
    assert.throws(() => loadBridgeConfig({ BRIDGE_FIGURES_INTERVAL_MS: '999' }), /BRIDGE_FIGURES_INTERVAL_MS must be 0 \(off\) or at least 1000, got 999/);
    assert.throws(() => loadBridgeConfig({ BRIDGE_FIGURES_INTERVAL_MS: 'often' }), /BRIDGE_FIGURES_INTERVAL_MS must be an integer/);
    assert.throws(() => loadBridgeConfig({ BRIDGE_FIGURES_INTERVAL_MS: '-5' }), /BRIDGE_FIGURES_INTERVAL_MS must be an integer/);
    for (const bucket of ['has.dot', 'a*', 'with space', 'x'.repeat(62)]) {
      assert.throws(
        () => loadBridgeConfig({ FIGURES_BUCKET: bucket }),
        (error: unknown) => error instanceof ConfigError && error.message.includes(`FIGURES_BUCKET "${bucket}" must be 1-61 of [A-Za-z0-9_-]`),
        bucket,
      );
    }
    assert.throws(() => loadCliConfig({ FIGURES_BUCKET: 'has.dot' }), /FIGURES_BUCKET "has\.dot"/);
  });

  test('a function refuses a non-postgres DATABASE_URL', () => {
    assert.throws(() => loadFunctionConfig({ DATABASE_URL: 'mysql://x/y' }), /DATABASE_URL must use postgres/);
  });
});

describe('NATS authentication and TLS settings', () => {
  let dir: string;
  let credsFile: string;
  let pemFile: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingest-config-'));
    credsFile = join(dir, 'user.creds');
    pemFile = join(dir, 'file.pem');
    await writeFile(credsFile, 'not parsed by the configuration');
    await writeFile(pemFile, 'not parsed by the configuration');
  });

  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test('without NATS_* security variables the connection is plain and unauthenticated', () => {
    const { security } = loadCliConfig({}).nats;
    assert.equal(security.auth, undefined);
    assert.equal(security.tls, undefined);
  });

  test('each authentication method is read, and secret values never appear when the config is printed', () => {
    const userPassword = loadBridgeConfig({ NATS_USER: 'bridge', NATS_PASSWORD: 's3cret-pw' }).nats.security.auth;
    assert.equal(userPassword?.kind, 'userPassword');
    assert.equal(userPassword.kind === 'userPassword' && userPassword.password(), 's3cret-pw');

    const token = loadCliConfig({ NATS_TOKEN: 's3cret-token' });
    assert.equal(token.nats.security.auth?.kind === 'token' && token.nats.security.auth.token(), 's3cret-token');
    for (const printed of [JSON.stringify(token), inspect(token, { depth: 10 })]) assert.doesNotMatch(printed, /s3cret/);

    const creds = loadCliConfig({ NATS_CREDS_FILE: credsFile }).nats.security.auth;
    assert.deepEqual(creds, { kind: 'creds', credsFile });
  });

  test('a tls:// URL or any NATS_TLS_* file requires TLS', () => {
    assert.deepEqual(loadCliConfig({ NATS_URL: 'tls://nats.internal:4222' }).nats.security.tls, {
      caFile: undefined,
      certFile: undefined,
      keyFile: undefined,
    });
    assert.deepEqual(loadCliConfig({ NATS_TLS_CA_FILE: pemFile, NATS_TLS_CERT_FILE: pemFile, NATS_TLS_KEY_FILE: pemFile }).nats.security.tls, {
      caFile: pemFile,
      certFile: pemFile,
      keyFile: pemFile,
    });
  });

  test('a password without a user, and a user without a password, are refused', () => {
    assert.throws(() => loadCliConfig({ NATS_PASSWORD: 'pw' }), /NATS_PASSWORD is set without NATS_USER/);
    assert.throws(() => loadCliConfig({ NATS_USER: 'bridge' }), /NATS_USER is set without NATS_PASSWORD/);
  });

  test('at most one authentication method, naming the ones set and never their values', () => {
    assert.throws(
      () => loadBridgeConfig({ NATS_CREDS_FILE: credsFile, NATS_TOKEN: 'tok-value', NATS_USER: 'u', NATS_PASSWORD: 'pw-value' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /at most one NATS authentication method .*got NATS_CREDS_FILE and NATS_USER\/NATS_PASSWORD and NATS_TOKEN/);
        assert.doesNotMatch(error.message, /tok-value|pw-value/);
        return true;
      },
    );
    assert.throws(
      () => loadCliConfig({ NATS_URL: 'nats://u:pw-value@127.0.0.1:4222', NATS_TOKEN: 'tok' }),
      (error: unknown) => error instanceof ConfigError && /NATS_URL carries credentials/.test(error.message) && !/pw-value/.test(error.message),
    );
  });

  test('missing files and a certificate without its key are reported together', () => {
    assert.throws(
      () => loadBridgeConfig({ NATS_CREDS_FILE: join(dir, 'absent.creds'), NATS_TLS_CA_FILE: dir, NATS_TLS_CERT_FILE: pemFile }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        const text = error.problems.join('\n');
        assert.match(text, /NATS_CREDS_FILE ".*absent\.creds" is not a readable file/);
        assert.match(text, /NATS_TLS_CA_FILE ".*" is not a readable file/); // a directory is not a file
        assert.match(text, /NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE must be set together/);
        return true;
      },
    );
  });
});

/** The first `nats-server` on PATH (Debian installs it in /usr/sbin), or undefined. */
