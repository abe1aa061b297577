import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { isPublishSubject, isStreamOrConsumerName, isSubjectFilter, subjectMatches } from '../names/index.ts';
import { type Env, EnvReader } from './env.ts';
import { readBridgeHttp, readTelemetry } from './telemetry.ts';
import type {
  BridgeConfig,
  BridgeExitStep,
  BridgeFaults,
  CliConfig,
  FunctionConfig,
  LocalConfig,
  LogLevel,
  NatsAuth,
  NatsConfig,
  NatsSecurity,
  NatsTls,
} from './types.ts';

const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/ingest';
/** Lambda's limit on a synchronous invoke request, in bytes. */
const LAMBDA_SYNC_REQUEST_LIMIT = 6_291_456;
/** Below a second, the figures would be more NATS traffic than news: the console redraws every few seconds. */
const MIN_FIGURES_INTERVAL_MS = 1000;
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const BRIDGE_EXIT_STEPS: readonly BridgeExitStep[] = ['before-sink-write', 'after-sink-commit', 'after-dead-letter-publish'];

function readLogLevel(reader: EnvReader): LogLevel {
  const level = reader.string('LOG_LEVEL', 'info') as LogLevel;
  reader.check(LOG_LEVELS.includes(level), `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

function readDatabaseUrl(reader: EnvReader): string {
  return reader.url('DATABASE_URL', DEFAULT_DATABASE_URL, ['postgres:', 'postgresql:']);
}

/** A file path from the environment, checked now so a missing mount fails at start with its variable's name. */
function readFilePath(reader: EnvReader, key: string): string | undefined {
  const path = reader.optionalString(key);
  if (path === undefined) return undefined;
  let readable = false;
  try {
    accessSync(path, fsConstants.R_OK);
    readable = statSync(path).isFile();
  } catch {
    readable = false;
  }
  reader.check(readable, `${key} "${path}" is not a readable file`);
  return path;
}

function urlHasCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false; // NATS_URL itself is reported by the URL check
  }
}

/**
 * NATS authentication and TLS. Problems name only variables and paths, never a secret value,
 * because ConfigError messages are printed.
 */
function readNatsSecurity(reader: EnvReader, url: string): NatsSecurity {
  const credsFile = readFilePath(reader, 'NATS_CREDS_FILE');
  const user = reader.optionalString('NATS_USER');
  // Trimmed like every variable: a secret pasted or injected with a trailing newline still works.
  const password = reader.optionalString('NATS_PASSWORD');
  const token = reader.optionalString('NATS_TOKEN');
  reader.check(password === undefined || user !== undefined, 'NATS_PASSWORD is set without NATS_USER');
  reader.check(user === undefined || password !== undefined, 'NATS_USER is set without NATS_PASSWORD');

  const chosen = [
    credsFile !== undefined ? 'NATS_CREDS_FILE' : undefined,
    user !== undefined || password !== undefined ? 'NATS_USER/NATS_PASSWORD' : undefined,
    token !== undefined ? 'NATS_TOKEN' : undefined,
  ].filter((name) => name !== undefined);
  reader.check(
    chosen.length <= 1,
    `set at most one NATS authentication method (NATS_CREDS_FILE, NATS_USER/NATS_PASSWORD or NATS_TOKEN); got ${chosen.join(' and ')}`,
  );
  // Two sources of credentials would leave it to the client library to pick one silently.
  reader.check(chosen.length === 0 || !urlHasCredentials(url), `NATS_URL carries credentials and ${chosen.join(', ')} is set too; use only one`);

  let auth: NatsAuth | undefined;
  if (credsFile !== undefined) auth = { kind: 'creds', credsFile };
  else if (user !== undefined && password !== undefined) auth = { kind: 'userPassword', user, password: () => password };
  else if (token !== undefined) auth = { kind: 'token', token: () => token };

  const files: NatsTls = {
    caFile: readFilePath(reader, 'NATS_TLS_CA_FILE'),
    certFile: readFilePath(reader, 'NATS_TLS_CERT_FILE'),
    keyFile: readFilePath(reader, 'NATS_TLS_KEY_FILE'),
  };
  reader.check(
    (files.certFile === undefined) === (files.keyFile === undefined),
    'NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE must be set together (the client certificate and its key)',
  );
  const wantsTls = url.startsWith('tls://') || Object.values(files).some((file) => file !== undefined);
  return { auth, tls: wantsTls ? files : undefined };
}

function readNats(reader: EnvReader): NatsConfig {
  const url = reader.url('NATS_URL', DEFAULT_NATS_URL, ['nats:', 'tls:', 'ws:', 'wss:']);
  const deadLetterStream = reader.string('DEADLETTER_STREAM', 'DEADLETTER');
  const nats: NatsConfig = {
    url,
    security: readNatsSecurity(reader, url),
    ingest: {
      name: reader.string('INGEST_STREAM', 'INGEST'),
      subjects: reader.list('INGEST_SUBJECTS', ['metrics.>']),
    },
    deadLetter: {
      name: deadLetterStream,
      subjects: reader.list('DEADLETTER_SUBJECTS', ['deadletter.>']),
      maxAgeDays: reader.integer('DEADLETTER_MAX_AGE_DAYS', 14, { min: 1, max: 3650 }),
      payloadBucket: reader.string('DEADLETTER_PAYLOAD_BUCKET', `${deadLetterStream}_PAYLOADS`),
    },
    consumer: reader.string('INGEST_CONSUMER', 'ingest-bridge'),
    consumerFilter: reader.optionalString('INGEST_CONSUMER_FILTER'),
    defaultDeadLetterSubject: reader.string('DEADLETTER_DEFAULT_SUBJECT', 'deadletter.unrouted'),
    figuresBucket: reader.string('FIGURES_BUCKET', 'INGEST_FIGURES'),
  };
  for (const [key, name] of [
    ['INGEST_STREAM', nats.ingest.name],
    ['DEADLETTER_STREAM', nats.deadLetter.name],
    ['INGEST_CONSUMER', nats.consumer],
    ['DEADLETTER_PAYLOAD_BUCKET', nats.deadLetter.payloadBucket],
  ] as const) {
    reader.check(isStreamOrConsumerName(name), `${key} "${name}" must be 1-64 of [A-Za-z0-9_-]`);
  }
  // A KV bucket lives in the stream `KV_<bucket>`: the same characters, three fewer.
  reader.check(
    isStreamOrConsumerName(`KV_${nats.figuresBucket}`),
    `FIGURES_BUCKET "${nats.figuresBucket}" must be 1-61 of [A-Za-z0-9_-] (a KV bucket, kept in the stream KV_<name>)`,
  );
  reader.check(nats.ingest.name !== nats.deadLetter.name, 'INGEST_STREAM and DEADLETTER_STREAM must differ');
  for (const filter of [...nats.ingest.subjects, ...nats.deadLetter.subjects]) {
    reader.check(isSubjectFilter(filter), `"${filter}" is not a valid NATS subject filter`);
  }
  const consumerFilter = nats.consumerFilter;
  if (consumerFilter !== undefined) {
    reader.check(
      isSubjectFilter(consumerFilter) && nats.ingest.subjects.some((filter) => subjectMatches(filter, consumerFilter)),
      `INGEST_CONSUMER_FILTER "${consumerFilter}" must be a subject filter inside INGEST_SUBJECTS (${nats.ingest.subjects.join(', ')})`,
    );
  }
  reader.check(
    isPublishSubject(nats.defaultDeadLetterSubject),
    `DEADLETTER_DEFAULT_SUBJECT "${nats.defaultDeadLetterSubject}" must be a subject without wildcards`,
  );
  reader.check(
    nats.deadLetter.subjects.some((filter) => subjectMatches(filter, nats.defaultDeadLetterSubject)),
    `DEADLETTER_DEFAULT_SUBJECT "${nats.defaultDeadLetterSubject}" is not captured by DEADLETTER_SUBJECTS`,
  );
  // A dead letter that landed back in the ingest stream would be consumed again, forever.
  reader.check(
    !nats.ingest.subjects.some((filter) => subjectMatches(filter, nats.defaultDeadLetterSubject)),
    `DEADLETTER_DEFAULT_SUBJECT "${nats.defaultDeadLetterSubject}" must not be captured by INGEST_SUBJECTS`,
  );
  return nats;
}

/** The bridge's test-only fault points (FAULT_BRIDGE_EXIT_AT, FAULT_DEAD_LETTER_PUBLISH_FAILURES); off unless set. */
function readBridgeFaults(reader: EnvReader): BridgeFaults {
  const exitAt = reader.optionalString('FAULT_BRIDGE_EXIT_AT') as BridgeExitStep | undefined;
  reader.check(
    exitAt === undefined || BRIDGE_EXIT_STEPS.includes(exitAt),
    `FAULT_BRIDGE_EXIT_AT (test-only) must be one of ${BRIDGE_EXIT_STEPS.join(', ')}, got "${exitAt}"`,
  );
  return {
    exitAt,
    deadLetterPublishFailures: reader.integer('FAULT_DEAD_LETTER_PUBLISH_FAILURES', 0, { min: 0, max: 1_000_000 }),
  };
}

/** Configuration of the long-running bridge. Read once at start; throws ConfigError listing every problem. */
function loadBridgeConfig(env: Env = process.env): BridgeConfig {
  const reader = new EnvReader(env);
  const functionPrefix = reader.string('FUNCTION_PREFIX', 'ingest-dev-');
  const endpoint = reader.optionalString('LAMBDA_ENDPOINT');
  if (endpoint !== undefined) reader.url('LAMBDA_ENDPOINT', endpoint, ['http:', 'https:']);
  const maxInFlight = reader.integer('BRIDGE_MAX_IN_FLIGHT', 4, { min: 1, max: 256 });
  const maxRecords = reader.integer('BATCH_MAX_RECORDS', 500, { min: 1, max: 10_000 });
  const config: BridgeConfig = {
    logLevel: readLogLevel(reader),
    telemetry: readTelemetry(reader, 'ingest-bridge'),
    http: readBridgeHttp(reader),
    nats: readNats(reader),
    batch: {
      maxRecords,
      // Lambda caps a synchronous request at 6 MB; base64 and JSON framing add about 40 %.
      maxBytes: reader.integer('BATCH_MAX_BYTES', 1_048_576, { min: 1024, max: 4_000_000 }),
      maxWaitMs: reader.integer('BATCH_MAX_WAIT_MS', 50, { min: 0, max: 300_000 }),
    },
    retry: {
      maxAttempts: reader.integer('RETRY_MAX_ATTEMPTS', 5, { min: 1, max: 100 }),
      baseDelayMs: reader.integer('RETRY_BASE_DELAY_MS', 1000, { min: 10, max: 3_600_000 }),
      maxDelayMs: reader.integer('RETRY_MAX_DELAY_MS', 60_000, { min: 10, max: 86_400_000 }),
      maxDeliver: reader.integer('MAX_DELIVER', 20, { min: 2, max: 1000 }),
    },
    lambda: {
      endpoint,
      region: reader.string('AWS_REGION', 'us-east-1'),
      functionNames: {
        validate: reader.string('FUNCTION_VALIDATE', `${functionPrefix}validate`),
        route: reader.string('FUNCTION_ROUTE', `${functionPrefix}route`),
        sinkWrite: reader.string('FUNCTION_SINK_WRITE', `${functionPrefix}sink-write`),
      },
      useLocalCredentials: endpoint !== undefined && reader.optionalString('AWS_ACCESS_KEY_ID') === undefined,
      timeoutMs: reader.integer('LAMBDA_TIMEOUT_MS', 30_000, { min: 100, max: 900_000 }),
      // 6 MB is Lambda's synchronous request limit (6,291,456 bytes).
      maxRequestBytes: reader.integer('LAMBDA_MAX_REQUEST_BYTES', LAMBDA_SYNC_REQUEST_LIMIT, { min: 65_536, max: LAMBDA_SYNC_REQUEST_LIMIT }),
    },
    maxInFlight,
    sinkTargetConcurrency: reader.integer('BRIDGE_SINK_TARGET_CONCURRENCY', maxInFlight, { min: 1, max: 256 }),
    // Enough for every in-flight batch and one more filling: more would only wait in memory.
    maxHeld: reader.integer('BRIDGE_MAX_HELD', (maxInFlight + 1) * maxRecords, { min: 1, max: 1_000_000 }),
    maxAckPending: reader.integer('MAX_ACK_PENDING', 10_000, { min: 1, max: 1_000_000 }),
    ackWaitMs: reader.integer('ACK_WAIT_MS', 60_000, { min: 1000, max: 3_600_000 }),
    drainTimeoutMs: reader.integer('DRAIN_TIMEOUT_MS', 30_000, { min: 0, max: 600_000 }),
    statsIntervalMs: reader.integer('BRIDGE_STATS_INTERVAL_MS', 60_000, { min: 0, max: 86_400_000 }),
    figuresIntervalMs: reader.integer('BRIDGE_FIGURES_INTERVAL_MS', 5000, { min: 0, max: 3_600_000 }),
    provision: reader.boolean('BRIDGE_PROVISION', true),
    faults: readBridgeFaults(reader),
  };
  reader.check(config.retry.maxAttempts < config.retry.maxDeliver, 'RETRY_MAX_ATTEMPTS must be below MAX_DELIVER (the server-side backstop)');
  reader.check(
    config.batch.maxBytes < config.lambda.maxRequestBytes,
    'BATCH_MAX_BYTES must be below LAMBDA_MAX_REQUEST_BYTES (a batch is one validate request)',
  );
  reader.check(
    config.figuresIntervalMs === 0 || config.figuresIntervalMs >= MIN_FIGURES_INTERVAL_MS,
    `BRIDGE_FIGURES_INTERVAL_MS must be 0 (off) or at least ${MIN_FIGURES_INTERVAL_MS}, got ${config.figuresIntervalMs}`,
  );
  reader.check(config.retry.baseDelayMs <= config.retry.maxDelayMs, 'RETRY_BASE_DELAY_MS must not exceed RETRY_MAX_DELAY_MS');
  reader.check(
    config.ackWaitMs > config.lambda.timeoutMs,
    'ACK_WAIT_MS must exceed LAMBDA_TIMEOUT_MS, or JetStream redelivers batches that are still in flight',
  );
  reader.done();
  return config;
}

/** Configuration of the validate, route and sink-write functions. */
function loadFunctionConfig(env: Env = process.env): FunctionConfig {
  const reader = new EnvReader(env);
  const config: FunctionConfig = {
    logLevel: readLogLevel(reader),
    // Lambda (and serverless-offline) name each function in AWS_LAMBDA_FUNCTION_NAME.
    telemetry: readTelemetry(reader, reader.string('AWS_LAMBDA_FUNCTION_NAME', 'ingest-function')),
    databaseUrl: readDatabaseUrl(reader),
    databasePoolMax: reader.integer('DATABASE_POOL_MAX', 4, { min: 1, max: 100 }),
    registryCache: {
      ttlMs: reader.integer('REGISTRY_CACHE_TTL_MS', 5000, { min: 0, max: 3_600_000 }),
      negativeTtlMs: reader.integer('REGISTRY_NEGATIVE_CACHE_TTL_MS', 1000, { min: 0, max: 3_600_000 }),
    },
    faultInjectionRate: reader.integer('FAULT_INJECTION_PERCENT', 0, { min: 0, max: 100 }) / 100,
    faultLoseAnswerRate: reader.integer('FAULT_LOSE_ANSWER_PERCENT', 0, { min: 0, max: 100 }) / 100,
  };
  reader.done();
  return config;
}

/** Configuration of the `ingest` CLI and the local launcher. */
function loadCliConfig(env: Env = process.env): CliConfig {
  const reader = new EnvReader(env);
  const config: CliConfig = {
    logLevel: readLogLevel(reader),
    databaseUrl: readDatabaseUrl(reader),
    nats: readNats(reader),
  };
  reader.done();
  return config;
}

/** Configuration of the local launcher. */
function loadLocalConfig(env: Env = process.env): LocalConfig {
  const reader = new EnvReader(env);
  const config: LocalConfig = {
    offlineLambdaPort: reader.integer('OFFLINE_LAMBDA_PORT', 3002, { min: 1, max: 65_535 }),
    offlineHttpPort: reader.integer('OFFLINE_HTTP_PORT', 3000, { min: 1, max: 65_535 }),
    stage: reader.string('STAGE', 'dev'),
  };
  reader.check(/^[a-z0-9-]{1,16}$/.test(config.stage), 'STAGE must be 1-16 of [a-z0-9-]');
  reader.done();
  return config;
}

export { loadLocalConfig, loadBridgeConfig, loadFunctionConfig, loadCliConfig, DEFAULT_DATABASE_URL, DEFAULT_NATS_URL };
